import Crypto
import Foundation

/// SHA-256 and HMAC-SHA256 from swift-crypto: SHA-256 verifies model files and derives stable
/// identifiers from image bytes; HMAC-SHA256 makes NextTokens tamper-evident. (The same functions as
/// the hand-written ones they replace, so digests, identifiers and tokens are unchanged.)
public enum Digest {
    /// SHA-256 of bytes.
    public static func sha256<D: DataProtocol>(_ bytes: D) -> [UInt8] { Array(SHA256.hash(data: bytes)) }

    /// SHA-256 of raw memory.
    public static func sha256(_ raw: UnsafeRawBufferPointer) -> [UInt8] {
        var h = SHA256()
        h.update(bufferPointer: raw)
        return Array(h.finalize())
    }

    /// HMAC-SHA256 (RFC 2104).
    public static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }
}

extension Array where Element == UInt8 {
    /// Lower-case hexadecimal.
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8](); out.reserveCapacity(count * 2)
        for b in self { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
