/// Where an operation's image comes from: a file (the command line, or an S3Object mapped under the
/// endpoint's --s3-root) or bytes held in memory (an API request's Image.Bytes).
public enum ImageSource: Sendable {
    case file(String)
    case bytes([UInt8])

    /// How messages name the image.
    public var name: String {
        switch self {
        case .file(let path): return path
        case .bytes(let b): return "Image.Bytes (\(b.count) bytes)"
        }
    }

    /// A reader of the image, checked and opened.
    public func reader() throws -> VideoReader {
        switch self {
        case .file(let path): return try VideoReader(path: path)
        case .bytes(let b): return try VideoReader(bytes: b, name: name)
        }
    }
}
