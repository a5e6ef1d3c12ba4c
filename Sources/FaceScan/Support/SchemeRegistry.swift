import Foundation

/// Backends by the scheme of their locations ("sqlite", "postgres"), registered by the program that
/// links them: the library knows none, so that it depends on no database. Thread-safe.
public final class SchemeRegistry<Backend>: @unchecked Sendable {
    private var openers: [String: (String) throws -> Backend] = [:]
    private let lock = NSLock()

    public init() {}

    public func register(_ scheme: String, _ open: @escaping (String) throws -> Backend) {
        lock.lock(); defer { lock.unlock() }
        openers[scheme] = open
    }

    /// The opener registered for `scheme`, if any.
    public func opener(_ scheme: String) -> ((String) throws -> Backend)? {
        lock.lock(); defer { lock.unlock() }
        return openers[scheme]
    }
}
