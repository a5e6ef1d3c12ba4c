import Foundation

/// The faces a search has seen so far, kept in a temporary file rather than in memory, so a search's
/// memory stays flat however long the video: identities are decided at the end of the video, and only
/// then can each sighting be reported. The file is created private (0600) and unlinked at once (face
/// descriptors are biometric data): it disappears with the process, whatever happens.
///
/// A record: timestamp (Int64), person index (Int32), descriptor count and values (Float32), the
/// FaceDetail's length (UInt32) and JSON encoding (Codable); little-endian.
final class SightingLog {
    struct Sighting {
        var timestamp: Int64
        var index: Int
        var descriptor: [Float]
        var detail: FaceDetail
    }

    private let fd: Int32
    private var buffer: [UInt8] = []
    private var size = 0
    private(set) var count = 0
    static let flushSize = 1 << 20

    init(directory: String = NSTemporaryDirectory()) throws {
        var template = Array((directory.hasSuffix("/") ? directory : directory + "/").utf8CString.dropLast()) + Array("facescan-search-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw APIError(.internalServerError, "cannot create a temporary file in \(directory): \(String(cString: strerror(errno)))")
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.fd = fd
    }

    deinit { close(fd) }

    func append(timestamp: Int64, index: Int, descriptor: [Float], detail: FaceDetail) throws {
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { buffer += $0 } }
        put(timestamp)
        put(Int32(index))
        put(UInt32(descriptor.count))
        for v in descriptor { put(v.bitPattern) }
        let text: [UInt8]
        do { text = Array(try JSONEncoder().encode(detail)) } catch {
            throw APIError(.internalServerError, "cannot encode a face for the search's temporary file: \(error)")
        }
        put(UInt32(text.count))
        buffer += text
        count += 1
        if buffer.count >= Self.flushSize { try flush() }
    }

    private func flush() throws {
        try buffer.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = pwrite(fd, raw.baseAddress! + done, raw.count - done, off_t(size + done))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    throw APIError(.internalServerError, "cannot write the search's temporary file: \(String(cString: strerror(errno)))")
                }
                done += n
            }
        }
        size += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    /// Calls `body` with every sighting, in the order they were appended.
    func forEach(_ body: (Sighting) throws -> Void) throws {
        try flush()
        var offset = 0
        var chunk: [UInt8] = []
        var position = 0
        func fill(_ need: Int) throws {
            guard chunk.count - position < need else { return }
            chunk.removeFirst(position)
            position = 0
            let want = max(need - chunk.count, Self.flushSize)
            var more = [UInt8](repeating: 0, count: want)
            let n = more.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(offset)) }
            guard n >= 0 else { throw APIError(.internalServerError, "cannot read the search's temporary file: \(String(cString: strerror(errno)))") }
            offset += n
            chunk += more.prefix(n)
            guard chunk.count >= need else { throw APIError(.internalServerError, "the search's temporary file is short") }
        }
        func take<T: FixedWidthInteger>(_: T.Type) throws -> T {
            try fill(MemoryLayout<T>.size)
            var v: T = 0
            for b in 0..<MemoryLayout<T>.size { v |= T(truncatingIfNeeded: chunk[position + b]) << (8 * b) }
            position += MemoryLayout<T>.size
            return v
        }
        for _ in 0..<count {
            let timestamp = try take(Int64.self)
            let index = Int(try take(Int32.self))
            let n = Int(try take(UInt32.self))
            var descriptor = [Float](repeating: 0, count: n)
            for k in 0..<n { descriptor[k] = Float(bitPattern: try take(UInt32.self)) }
            let length = Int(try take(UInt32.self))
            try fill(length)
            let detail: FaceDetail
            do { detail = try JSONDecoder().decode(FaceDetail.self, from: Data(chunk[position..<(position + length)])) } catch {
                throw APIError(.internalServerError, "the search's temporary file is damaged: \(error)")
            }
            position += length
            try body(Sighting(timestamp: timestamp, index: index, descriptor: descriptor, detail: detail))
        }
    }
}
