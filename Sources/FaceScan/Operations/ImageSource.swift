import Foundation

/// Where an operation's image comes from: a file (the command line, or an S3Object mapped under the
/// endpoint's --s3-root) or bytes held in memory (an API request's Image.Bytes).
public enum ImageSource: Sendable {
    case file(String)
    case bytes([UInt8])
    /// An S3Object's file under the endpoint's S3 root, named `s3://bucket/name` in messages; a symbolic
    /// link in its place is refused, and, as the service's limit for images in S3, it may have 15 MB.
    case object(path: String, name: String)

    /// The service's largest image read from S3.
    public static let maxObjectBytes: Int64 = 15 * 1024 * 1024

    /// How messages name the image.
    public var name: String {
        switch self {
        case .file(let path): return path
        case .bytes(let b): return "Image.Bytes (\(b.count) bytes)"
        case .object(_, let name): return name
        }
    }

    /// A reader of the image, checked and opened.
    public func reader() throws -> VideoReader {
        switch self {
        case .file(let path): return try VideoReader(path: path)
        case .bytes(let b): return try VideoReader(bytes: b, name: name)
        case .object(let path, let name):
            var st = stat()
            if stat(path, &st) == 0, Int64(st.st_size) > Self.maxObjectBytes {
                throw APIError(.imageTooLarge, "\(name) is \(st.st_size) bytes; images in S3 are limited to 15 MB")
            }
            return try VideoReader(path: path, displayName: name, noFollow: true)
        }
    }
}
