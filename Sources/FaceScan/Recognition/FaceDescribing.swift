/// Something that turns a detected face into a descriptor vector whose Euclidean distances separate
/// people (dlib's ResNet: 128 values, same person below about 0.6).
public protocol FaceDescribing: AnyObject {
    func describe(_ image: RGBImage, _ detection: Detection) throws -> [Float]
}

/// Stable identifiers and versions of facescan's face "collections".
public enum FaceIdentity {
    /// Version of the face model set (detector + descriptor) reported as IndexFacesModelVersion and
    /// FaceModelVersion; it changes when descriptors stop being comparable with older ones.
    public static let modelVersion = "1.0"

    /// A UUID (RFC 4122 version 5 layout) derived from a SHA-256 of `text`: the same input always gives
    /// the same identifier.
    public static func uuid(_ text: String) -> String {
        var b = Array(Digest.sha256(Array(text.utf8)).prefix(16))
        b[6] = (b[6] & 0x0f) | 0x50
        b[8] = (b[8] & 0x3f) | 0x80
        let h = b.hexString
        let c = Array(h)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-" + String(c[16..<20]) + "-" + String(c[20..<32])
    }

    /// An ExternalImageId made of the characters the API allows ([a-zA-Z0-9_.\-:]), others replaced by
    /// "_", at most 255 characters; never empty.
    public static func externalImageId(_ name: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-:")
        let cleaned = String(name.map { allowed.contains($0) ? $0 : "_" }.prefix(255))
        return cleaned.isEmpty ? "_" : cleaned
    }
}
