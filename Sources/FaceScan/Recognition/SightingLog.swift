import Foundation

/// The faces a search has seen so far, kept in a temporary file rather than in memory, so a search's
/// memory stays flat however long the video: identities are decided at the end of the video, and only
/// then can each sighting be reported. The file is a `TemporaryFile`, private (0600) and unlinked at
/// once (face descriptors are biometric data): it disappears with the process, whatever happens.
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

    private let file: TemporaryFile
    private var record: [UInt8] = []
    private let encoder = JSONEncoder(), decoder = JSONDecoder()
    private(set) var count = 0

    init() throws {
        file = try TemporaryFile(prefix: "facescan-search")
    }

    func append(timestamp: Int64, index: Int, descriptor: [Float], detail: FaceDetail) throws {
        record.removeAll(keepingCapacity: true)
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { record += $0 } }
        put(timestamp)
        put(Int32(index))
        put(UInt32(descriptor.count))
        for v in descriptor { put(v.bitPattern) }
        let text: [UInt8]
        do { text = Array(try encoder.encode(detail)) } catch {
            throw APIError(.internalServerError, "cannot encode a face for the search's temporary file: \(error)")
        }
        put(UInt32(text.count))
        record += text
        try file.append(record)
        count += 1
    }

    /// Calls `body` with every sighting, in the order they were appended.
    func forEach(_ body: (Sighting) throws -> Void) throws {
        var offset = 0
        var chunk: [UInt8] = []
        var position = 0
        func fill(_ need: Int) throws {
            guard chunk.count - position < need else { return }
            chunk.removeFirst(position)
            position = 0
            let more = try file.read(at: offset, count: max(need - chunk.count, TemporaryFile.flushSize))
            offset += more.count
            chunk += more
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
            do { detail = try decoder.decode(FaceDetail.self, from: Data(chunk[position..<(position + length)])) } catch {
                throw APIError(.internalServerError, "the search's temporary file is damaged: \(error)")
            }
            position += length
            try body(Sighting(timestamp: timestamp, index: index, descriptor: descriptor, detail: detail))
        }
    }
}
