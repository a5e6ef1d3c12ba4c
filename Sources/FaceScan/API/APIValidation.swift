/// The documented constraints of the API's identifiers (botocore's Rekognition model), shared by the
/// command line and the endpoint.
public enum APIValidation {
    /// CollectionId: `[a-zA-Z0-9_.\-]+`, 1 to 255 characters.
    public static func isCollectionId(_ s: String) -> Bool { matches(s, extra: "_.-", max: 255) }

    /// ExternalImageId: `[a-zA-Z0-9_.\-:]+`, 1 to 255 characters.
    public static func isExternalImageId(_ s: String) -> Bool { matches(s, extra: "_.-:", max: 255) }

    /// FaceId: a lower-case UUID, `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`.
    public static func isFaceId(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count == 36 else { return false }
        for (i, c) in u.enumerated() {
            if [8, 13, 18, 23].contains(i) { if c != UInt8(ascii: "-") { return false } }
            else if !((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66)) { return false }
        }
        return true
    }

    /// JobTag: `[a-zA-Z0-9_.\-:+=\/]+`, 1 to 1024 characters.
    public static func isJobTag(_ s: String) -> Bool { matches(s, extra: "_.-:+=/", max: 1024) }

    static func matches(_ s: String, extra: String, max: Int) -> Bool {
        let u = s.utf8
        return !u.isEmpty && u.count <= max && u.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || extra.utf8.contains(c)
        }
    }

    /// A new FaceId or ImageId: a random UUID, lower case, as the service assigns them.
    public static func newId() -> String { UUID().uuidString.lowercased() }
}

import Foundation
