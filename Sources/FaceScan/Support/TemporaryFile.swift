import Foundation

/// A private scratch file for data too large to keep in memory: created 0600 and unlinked at once, so
/// it disappears with the process whatever happens. Appends are buffered; reads see everything
/// appended.
public final class TemporaryFile {
    private let fd: Int32
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
    }

    deinit { close(fd) }

    /// Bytes appended so far.
    public var size: Int { written + buffer.count }

    public func append(_ bytes: [UInt8]) throws {
        buffer += bytes
        if buffer.count >= Self.flushSize { try flush() }
    }

    public func append(_ text: String) throws { try append(Array(text.utf8)) }

    func flush() throws {
        try buffer.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = pwrite(fd, raw.baseAddress! + done, raw.count - done, off_t(written + done))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    throw APIError(.internalServerError, "cannot write a temporary file: \(String(cString: strerror(errno)))")
                }
                done += n
            }
        }
        written += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    /// Up to `count` bytes from `offset` (fewer only at the end).
    public func read(at offset: Int, count: Int) throws -> [UInt8] {
        try flush()
        var out = [UInt8](repeating: 0, count: max(0, min(count, written - offset)))
        var done = 0
        while done < out.count {
            let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, $0.count - done, off_t(offset + done)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw APIError(.internalServerError, "cannot read a temporary file: \(String(cString: strerror(errno)))") }
            done += n
        }
        return out
    }

    /// Calls `body` with the whole content, a chunk at a time, in order.
    public func forEachChunk(_ body: ([UInt8]) throws -> Void) throws {
        try flush()
        var offset = 0
        while offset < written {
            let chunk = try read(at: offset, count: Self.flushSize)
            try body(chunk)
            offset += chunk.count
        }
    }
}
