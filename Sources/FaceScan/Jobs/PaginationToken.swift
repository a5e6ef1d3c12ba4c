/// NextToken: where the next page of a job's results starts, bound to the job and the sort order and
/// signed so that a modified, truncated or foreign token is recognised.
///
/// Layout before encoding: version (1 byte), sort order (1 byte: its number in the operation's list of
/// orders), position (UInt32, big-endian), the JobId's length and bytes, then the first 16 bytes of
/// HMAC-SHA256 over all that, keyed with the store's secret key (`STORE/key`). Base64url without
/// padding: at most 118 characters for a 64-character JobId, within the API's 255.
public struct PaginationToken: Equatable, Sendable {
    public var jobId: String
    public var order: UInt8
    public var position: Int

    static let version: UInt8 = 1
    static let macLength = 16

    public init(jobId: String, order: UInt8, position: Int) {
        self.jobId = jobId
        self.order = order
        self.position = position
    }

    /// The token text.
    public func encoded(key: [UInt8]) -> String {
        var bytes: [UInt8] = [Self.version, order]
        let p = UInt32(clamping: position)
        bytes += [UInt8(p >> 24), UInt8(p >> 16 & 0xff), UInt8(p >> 8 & 0xff), UInt8(p & 0xff)]
        let id = Array(jobId.utf8)
        bytes.append(UInt8(id.count))
        bytes += id
        bytes += Digest.hmacSHA256(key: key, message: bytes).prefix(Self.macLength)
        return Base64URL.encode(bytes)
    }

    /// Reads and verifies a token; nil when it is not one this store issued, unmodified.
    public static func decode(_ text: String, key: [UInt8]) -> PaginationToken? {
        guard text.utf8.count <= 255, let bytes = Base64URL.decode(text), bytes.count > 7 + macLength else { return nil }
        let body = Array(bytes.dropLast(macLength)), mac = Array(bytes.suffix(macLength))
        let expected = Array(Digest.hmacSHA256(key: key, message: body).prefix(macLength))
        // Compare in constant time.
        var diff: UInt8 = 0
        for i in 0..<macLength { diff |= mac[i] ^ expected[i] }
        guard diff == 0, body[0] == version else { return nil }
        let idLength = Int(body[6])
        guard body.count == 7 + idLength else { return nil }
        let position = Int(body[2]) << 24 | Int(body[3]) << 16 | Int(body[4]) << 8 | Int(body[5])
        return PaginationToken(jobId: String(decoding: body[7...], as: UTF8.self), order: body[1], position: position)
    }
}

/// Base64 with the URL-safe alphabet (RFC 4648 §5), no padding.
enum Base64URL {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let n = min(3, bytes.count - i)
            var v = UInt32(bytes[i]) << 16
            if n > 1 { v |= UInt32(bytes[i + 1]) << 8 }
            if n > 2 { v |= UInt32(bytes[i + 2]) }
            for k in 0...n { out.append(alphabet[Int(v >> (18 - 6 * UInt32(k)) & 63)]) }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// nil for a character outside the alphabet or an impossible length.
    static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt32] = []
        for c in text.utf8 {
            guard let v = alphabet.firstIndex(of: c) else { return nil }
            values.append(UInt32(v))
        }
        guard values.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        var i = 0
        while i < values.count {
            let n = min(4, values.count - i)
            var v: UInt32 = 0
            for k in 0..<4 { v = v << 6 | (k < n ? values[i + k] : 0) }
            let bytes = [UInt8(v >> 16), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)]
            out += bytes.prefix(n - 1)
            // Bits left over in the last character must be zero, so that every token has one spelling.
            if n < 4 {
                let unused = 6 * n - 8 * (n - 1)
                if values[i + n - 1] & ((1 << UInt32(unused)) - 1) != 0 { return nil }
            }
            i += 4
        }
        return out
    }
}
