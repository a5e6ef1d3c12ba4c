/// An error of a lower layer (model reader, engine) that knows which API error it is to the user.
public protocol APIErrorConvertible: Error {
    var apiError: APIError { get }
}
