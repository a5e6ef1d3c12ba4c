/// A failure reported to the user as Rekognition reports it: an error name and a message.
///
/// The command-line tool prints exactly one `{"__type": name, "Message": message}` object on stderr and
/// exits with `kind.exitCode`. Messages name the file or option concerned and the cause.
public struct APIError: Error, CustomStringConvertible, Sendable {
    /// The error names of Rekognition's API that facescan uses, each with its exit status.
    public enum Kind: String, CaseIterable, Sendable {
        case internalServerError = "InternalServerError"
        case invalidParameter = "InvalidParameterException"
        case resourceNotFound = "ResourceNotFoundException"
        case accessDenied = "AccessDeniedException"
        case invalidImageFormat = "InvalidImageFormatException"
        case imageTooLarge = "ImageTooLargeException"
        case videoTooLarge = "VideoTooLargeException"
        case invalidPaginationToken = "InvalidPaginationTokenException"
        case idempotentParameterMismatch = "IdempotentParameterMismatchException"
        case limitExceeded = "LimitExceededException"
        case invalidS3Object = "InvalidS3ObjectException"
        case resourceAlreadyExists = "ResourceAlreadyExistsException"

        /// The process exit status for this error (documented in README.md and facescan(1)).
        public var exitCode: Int32 {
            switch self {
            case .internalServerError: return 1
            case .invalidParameter: return 2
            case .resourceNotFound: return 3
            case .accessDenied: return 4
            case .invalidImageFormat: return 5
            case .imageTooLarge: return 6
            case .videoTooLarge: return 7
            case .invalidPaginationToken: return 8
            case .idempotentParameterMismatch: return 9
            case .limitExceeded: return 10
            case .invalidS3Object: return 11
            case .resourceAlreadyExists: return 12
            }
        }

        /// When facescan reports it (for --help, README and the man page).
        public var meaning: String {
            switch self {
            case .internalServerError: return "an unexpected failure inside facescan (a bug, or the system ran out of a resource)"
            case .invalidParameter: return "a bad option or value, an input that is not a regular file, a video without a usable video stream, no face where one is required"
            case .resourceNotFound: return "a collection, a face, a job or a model file does not exist (or a model file is corrupt)"
            case .accessDenied: return "a file or directory cannot be read or written for lack of permission"
            case .invalidImageFormat: return "the input is empty, truncated or not a video or image FFmpeg can decode"
            case .imageTooLarge: return "an image is larger than facescan accepts"
            case .videoTooLarge: return "a video is larger than facescan accepts"
            case .invalidPaginationToken: return "a NextToken that was modified, truncated, or belongs to another job or sort order"
            case .idempotentParameterMismatch: return "a ClientRequestToken reused with different parameters"
            case .limitExceeded: return "more concurrent jobs than the configured limit"
            case .invalidS3Object: return "the input video or image does not exist or cannot be read (the service's \"unable to access the object\")"
            case .resourceAlreadyExists: return "create-collection with a CollectionId that already exists"
            }
        }
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind.rawValue): \(message)" }

    /// The error object printed on stderr.
    public var json: JSON { .object([("__type", .string(kind.rawValue)), ("Message", .string(message))]) }

    public static func invalidParameter(_ message: String) -> APIError { APIError(.invalidParameter, message) }
}
