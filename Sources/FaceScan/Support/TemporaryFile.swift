import Foundation

/// A private scratch file for data too large to keep in memory: created 0600 and unlinked at once, so
/// it disappears with the process whatever happens. Appends are buffered; reads see everything
/// appended.
public final class TemporaryFile {
    private let fd: Int32
    /// The name it had, for messages.
    private let name: String
    private var buffer: [UInt8] = []
    /// Bytes in the file (not counting the buffer).
    private var written = 0
    static let flushSize = 1 << 20

    public init(directory: String = NSTemporaryDirectory(), prefix: String = "facescan") throws {
        let dir = directory.hasSuffix("/") ? directory : directory + "/"
        var template = Array((dir + prefix + "-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw APIError(.internalServerError, "cannot create a temporary file in \(directory): \(String(cString: strerror(errno)))")
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.fd = fd
        name = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } + " (a temporary file)"
    }

    deinit { close(fd) }

    public func append(_ bytes: [UInt8]) throws {
        buffer += bytes
        if buffer.count >= Self.flushSize { try flush() }
    }

    public func append(_ text: String) throws { try append(Array(text.utf8)) }

    /// Writes the buffer at the end of the file (the descriptor's offset only ever moves by writes).
    func flush() throws {
        try StoreIO.writeAll(fd, buffer, path: name)
        written += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    /// Up to `count` bytes from `offset` (fewer only at the end).
    public func read(at offset: Int, count: Int) throws -> [UInt8] {
        try flush()
        return try StoreIO.read(fd: fd, offset: offset, count: max(0, min(count, written - offset)), path: name)
    }

    /// Calls `body` with the whole content, a chunk at a time, in order.
    public func forEachChunk(_ body: ([UInt8]) throws -> Void) throws {
        try flush()
        var offset = 0
        while offset < written {
            let chunk = try read(at: offset, count: Self.flushSize)
            guard !chunk.isEmpty else { throw APIError(.internalServerError, "\(name) is shorter than what was written to it") }
            try body(chunk)
            offset += chunk.count
        }
    }
}
