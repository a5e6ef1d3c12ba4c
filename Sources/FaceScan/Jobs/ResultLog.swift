import Foundation

/// A job's result items, stored once as rendered JSON so that any page is served by reading a slice,
/// without recomputation.
///
/// - `items.jsonl`: the items in their natural order (for video jobs, by Timestamp), one compact JSON
///   object per line.
/// - `items.idx`: for item *i*, the offset just past its line, as a little-endian UInt64; a page's bytes
///   are found without scanning the file.
/// - `order-NAME.bin`: another order of the same items (e.g. GetFaceSearch's INDEX), as the item numbers
///   in that order, little-endian UInt32.
///
/// The writer appends as the analysis goes; the job record's `itemCount` (written last, when the job
/// SUCCEEDED, after everything here is fsynced) says how many items are complete.
final class ResultWriter: JobResultWriter {
    static let items = "items.jsonl", index = "items.idx"

    let directory: String
    private var itemsFD: Int32 = -1
    private var indexFD: Int32 = -1
    private(set) var count = 0
    private var end: UInt64 = 0

    /// Starts an empty result (an earlier partial result is discarded).
    init(directory: String) throws {
        self.directory = directory
        itemsFD = open(directory + "/" + Self.items, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        if itemsFD < 0 { throw StoreIO.error("write", directory + "/" + Self.items) }
        indexFD = open(directory + "/" + Self.index, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        if indexFD < 0 { let e = errno; close(itemsFD); throw StoreIO.error("write", directory + "/" + Self.index, errno: e) }
    }

    deinit {
        if itemsFD >= 0 { close(itemsFD) }
        if indexFD >= 0 { close(indexFD) }
    }

    /// Appends items (each one compact JSON text without a newline).
    func append(_ items: [String]) throws {
        guard !items.isEmpty else { return }
        var text: [UInt8] = []
        var offsets: [UInt8] = []
        for item in items {
            text += Array(item.utf8)
            text.append(10)
            end += UInt64(item.utf8.count + 1)
            withUnsafeBytes(of: end.littleEndian) { offsets += $0 }
        }
        try StoreIO.writeAll(itemsFD, text, path: directory + "/" + Self.items)
        try StoreIO.writeAll(indexFD, offsets, path: directory + "/" + Self.index)
        count += items.count
    }

    /// Stores another order of the items: `permutation[k]` is the item shown k-th.
    func addOrder(_ name: String, permutation: [Int]) throws {
        precondition(permutation.count == count && Set(permutation).count == count, "an order must list every item once")
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count * 4)
        for i in permutation { withUnsafeBytes(of: UInt32(i).littleEndian) { bytes += $0 } }
        try StoreIO.writeAtomically(directory + "/" + ResultReader.orderFile(name), bytes)
    }

    /// Makes everything written durable.
    func finish() throws {
        if fsync(itemsFD) != 0 { throw StoreIO.error("sync", directory + "/" + Self.items) }
        if fsync(indexFD) != 0 { throw StoreIO.error("sync", directory + "/" + Self.index) }
        StoreIO.syncDirectory(directory)
    }
}

/// Reads pages of a job's items.
struct ResultReader {
    let directory: String
    let jobId: String
    /// Items that are complete.
    let count: Int

    static func orderFile(_ name: String) -> String { "order-\(name).bin" }

    private func damaged(_ what: String) -> APIError {
        APIError(.internalServerError, "the results of job \(jobId) in \(directory) are damaged (\(what)); delete the job with `facescan delete-job --job-id \(jobId)`")
    }

    /// Items `from ..< from + n` of `order` (nil: the natural order), as JSON texts.
    func items(order: String?, from: Int, n: Int) throws -> [String] {
        let upper = min(count, from + n)
        guard from < upper else { return [] }
        let idxPath = directory + "/" + ResultWriter.index, itemsPath = directory + "/" + ResultWriter.items
        let idx = open(idxPath, O_RDONLY | O_CLOEXEC)
        if idx < 0 { throw errno == ENOENT ? damaged("\(ResultWriter.index) is missing") : StoreIO.error("read", idxPath) }
        defer { close(idx) }
        let items = open(itemsPath, O_RDONLY | O_CLOEXEC)
        if items < 0 { throw errno == ENOENT ? damaged("\(ResultWriter.items) is missing") : StoreIO.error("read", itemsPath) }
        defer { close(items) }

        /// Offsets just past items first ..< first + k.
        func ends(_ first: Int, _ k: Int) throws -> [UInt64] {
            let bytes = try StoreIO.read(fd: idx, offset: first * 8, count: k * 8, path: idxPath)
            guard bytes.count == k * 8 else { throw damaged("\(ResultWriter.index) is short") }
            return (0..<k).map { i in
                var v: UInt64 = 0
                for b in 0..<8 { v |= UInt64(bytes[i * 8 + b]) << (8 * b) }
                return v
            }
        }
        /// The lines of items first ..< first + k, read at once.
        func run(_ first: Int, _ k: Int) throws -> [String] {
            let offsets = try ends(max(0, first - 1), first == 0 ? k : k + 1)
            let start = first == 0 ? 0 : offsets[0]
            let stops = first == 0 ? offsets : Array(offsets.dropFirst())
            guard let last = stops.last, last >= start, last - start < 1 << 31 else { throw damaged("bad offsets") }
            let bytes = try StoreIO.read(fd: items, offset: Int(start), count: Int(last - start), path: itemsPath)
            guard bytes.count == Int(last - start) else { throw damaged("\(ResultWriter.items) is short") }
            var out: [String] = []
            var lineStart = 0
            for stop in stops {
                let lineEnd = Int(stop - start)
                guard lineEnd > lineStart, lineEnd <= bytes.count, bytes[lineEnd - 1] == 10 else { throw damaged("bad offsets") }
                out.append(String(decoding: bytes[lineStart..<(lineEnd - 1)], as: UTF8.self))
                lineStart = lineEnd
            }
            return out
        }

        guard let order else { return try run(from, upper - from) }
        let orderPath = directory + "/" + Self.orderFile(order)
        let ofd = open(orderPath, O_RDONLY | O_CLOEXEC)
        if ofd < 0 { throw errno == ENOENT ? damaged("the \(order) order is missing") : StoreIO.error("read", orderPath) }
        defer { close(ofd) }
        let perm = try StoreIO.read(fd: ofd, offset: from * 4, count: (upper - from) * 4, path: orderPath)
        guard perm.count == (upper - from) * 4 else { throw damaged("the \(order) order is short") }
        var out: [String] = []
        for k in 0..<(upper - from) {
            var i = 0
            for b in 0..<4 { i |= Int(perm[k * 4 + b]) << (8 * b) }
            guard i < count else { throw damaged("the \(order) order names item \(i) of \(count)") }
            out += try run(i, 1)
        }
        return out
    }
}
