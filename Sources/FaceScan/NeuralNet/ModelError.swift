/// A model file that cannot be loaded: unreadable, malformed, truncated, hostile, or using an operator
/// or option the engine does not implement.
///
/// `message` names what is wrong (e.g. `operator 12 (CONV_2D): dilation 2 is not supported`,
/// `vector of 4294967295 tensors at offset 1024 runs past the end of the file (229032 bytes)`).
/// Loading never crashes and never reads out of bounds on bad input: every problem is this error.
public struct ModelError: Error, CustomStringConvertible, Sendable {
    /// The model file (path or name) the error is about.
    public let file: String
    /// What is wrong, in words.
    public let message: String

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}

/// A structural error raised while building or planning a graph (format independent); the loader of a
/// model file turns it into a `ModelError` with the file name and the operator it was building.
struct GraphError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
