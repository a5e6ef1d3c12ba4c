import Foundation

/// Where a `JobStore` keeps its jobs: records, results, the key that signs NextTokens. Two backends: a
/// directory on one machine (`DirectoryJobBackend`, the default, nothing to set up) and a shared
/// database (PostgreSQL, in FaceScanStore) that workers on many machines take work from (`JobQueue`).
/// `JobStore` holds what both share (ids, the job limit, dead workers, pages, notifications), so both
/// behave alike.
public protocol JobBackend: AnyObject, Sendable {
    /// How another process opens this store (`JobStores.open`): a directory, or postgres://….
    var location: String { get }
    /// Creates `record` (IN_PROGRESS) and, for a queue, its `segments`; or returns the job an earlier
    /// start with the record's ClientRequestToken made (`created` false). The token's lookup, the count
    /// of running jobs and the creation happen under one lock.
    /// - Throws: IdempotentParameterMismatchException (the token started another request),
    ///   LimitExceededException (`limit` jobs IN_PROGRESS).
    func create(_ record: JobRecord, limit: Int, segments: [VideoSegment]) throws -> JobStore.Started
    /// The record as stored; nil when the job does not exist.
    func storedRecord(_ id: String) throws -> JobRecord?
    /// Read-modify-write of a record under the job's lock; `body` returns false to leave it unchanged.
    /// - Returns: the record after the update, or nil when `body` left it unchanged.
    /// - Throws: ResourceNotFoundException for an unknown job.
    func update(_ id: String, _ body: (inout JobRecord) throws -> Bool) throws -> JobRecord?
    /// Every job's id (in no particular order); `JobStore.list` reads their records.
    func jobIds() throws -> [String]
    /// Deletes a job with its results and token (its worker stopped first where the backend can).
    /// - Returns: the record before deletion (nil when damaged).
    /// - Throws: ResourceNotFoundException for an unknown job.
    func remove(_ id: String) throws -> JobRecord?
    /// The secret that signs NextTokens, created first when `create` and missing.
    func secretKey(create: Bool) throws -> [UInt8]?
    /// A new, empty result for the job (an earlier partial one is discarded).
    func results(_ id: String) throws -> JobResultWriter
    /// Items `from ..< from + n` of the first `count` stored, in `order` (nil: as appended).
    func items(_ id: String, count: Int, order: String?, from: Int, n: Int) throws -> [String]
    /// The job ended: it no longer counts against the limit.
    func ended(_ id: String)
    /// A directory on this machine for the job's notification message and log.
    func notificationDirectory(_ id: String) throws -> String
    /// True when the running job's worker is gone for good (its job is then reported FAILED). A queue's
    /// jobs are never abandoned: another worker takes over.
    func isAbandoned(_ r: JobRecord) -> Bool
}

/// A job's results as they are written: items in their natural order, then other orders.
public protocol JobResultWriter: AnyObject {
    /// Items appended so far.
    var count: Int { get }
    /// Appends items (each one compact JSON text).
    func append(_ items: [String]) throws
    /// Stores another order of the items: `permutation[k]` is the item shown k-th.
    func addOrder(_ name: String, permutation: [Int]) throws
    /// Makes everything written durable.
    func finish() throws
}

/// Opens job stores by location: a directory path, or a location whose scheme a backend registered
/// (FaceScanStore registers postgres:// and postgresql://).
public enum JobStores {
    private static let backends = SchemeRegistry<JobBackend>()

    /// Registers the backend for locations "SCHEME://…" (the whole location is handed to `open`).
    public static func register(scheme: String, _ open: @escaping (String) throws -> JobBackend) {
        backends.register(scheme, open)
    }

    /// The scheme of a location that names a database ("postgres" of "postgres://…"), nil for a path.
    public static func scheme(of location: String) -> String? {
        guard let r = location.range(of: "://") else { return nil }
        let scheme = String(location[..<r.lowerBound])
        return !scheme.isEmpty && scheme.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" }) ? scheme : nil
    }

    /// A location with the password of its user part (SCHEME://USER:PASSWORD@…) replaced by `mask`,
    /// cut as text (between "://" and the last "@"), so that a password a URL parser refuses is hidden too.
    public static func withoutPassword(_ location: String, mask: String = "") -> String {
        guard let scheme = location.range(of: "://"), let at = location[scheme.upperBound...].lastIndex(of: "@"),
              let colon = location[scheme.upperBound..<at].firstIndex(of: ":") else { return location }
        return String(location[..<colon]) + mask + String(location[at...])
    }

    /// The backend at `location`.
    /// - Throws: InvalidParameterException for a scheme no backend handles.
    public static func open(_ location: String) throws -> JobBackend {
        guard let scheme = scheme(of: location) else { return DirectoryJobBackend(directory: location) }
        guard let opener = backends.opener(scheme) else {
            throw APIError.invalidParameter("the job store \"\(withoutPassword(location, mask: ":***"))\" is neither a directory nor a postgres:// URL")
        }
        return try opener(location)
    }
}
