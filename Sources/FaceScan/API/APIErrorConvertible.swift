/// An error of a lower layer (model reader, engine) that knows which API error it is to the user.
public protocol APIErrorConvertible: Error {
    var apiError: APIError { get }
}

extension ModelError: APIErrorConvertible {
    /// Model files are verified against their SHA-256 before loading, so a model that then fails to
    /// load is facescan's own fault.
    public var apiError: APIError { APIError(.internalServerError, "cannot load model \(file): \(message)") }
}
