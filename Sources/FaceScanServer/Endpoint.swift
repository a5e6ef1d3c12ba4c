import FaceScan
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// `facescan serve`: Rekognition's AWS JSON 1.1 protocol over HTTP. `POST /` with
/// `X-Amz-Target: RekognitionService.<Operation>` and the operation's request document; HTTP 200 with
/// the response document, or HTTP 400 (500 for InternalServerError) with `{"__type", "message"}`, which
/// boto3 raises as the operation's modelled exception.
public struct EndpointConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0: any free port (the one chosen is printed).
    public var port = 9000
    public var s3Root: String?
    /// When set, every request must carry a valid Signature V4 for this key pair.
    public var accessKey: String?
    public var secretKey: String?
    public var notificationCommand: String?
    /// Largest request body: two 5 MB images in base64 (CompareFaces) and their JSON. Operations with one
    /// image take half of it, those without an image 1 MB (`bodyLimit`).
    public var maxBodyBytes = 16 * 1024 * 1024
    public var maxConnections = 64
    /// A connection with nothing read or written for this long is closed.
    public var idleTimeoutSeconds: Int64 = 60
    /// Image operations running at once (each with its own models).
    public var engines = 2

    public init() {}

    /// Loopback addresses, which a server may bind without keys: "localhost", ::1, or an IPv4 literal in
    /// 127.0.0.0/8 (a host name is not trusted to resolve to loopback).
    public var isLoopback: Bool {
        if host == "localhost" || host == "::1" { return true }
        var a = in_addr()
        return inet_pton(AF_INET, host, &a) == 1 && UInt32(bigEndian: a.s_addr) >> 24 == 127
    }

    /// The largest body accepted for an operation.
    public func bodyLimit(_ operation: String) -> Int {
        switch operation {
        case "CompareFaces": return maxBodyBytes
        case "DetectFaces", "IndexFaces", "SearchFacesByImage": return maxBodyBytes / 2
        default: return min(maxBodyBytes, 1024 * 1024)
        }
    }
}

public enum Endpoint {
    /// Serves until SIGINT or SIGTERM. `listening` is called with the URL once the port is bound.
    public static func run(_ config: EndpointConfiguration, store: CollectionStore, jobs: JobStore,
                           listening: @escaping @Sendable (String) -> Void) async throws {
        if !config.isLoopback && (config.accessKey == nil || config.secretKey == nil) {
            throw APIError.invalidParameter("serve --host \(config.host) is not a loopback address: give --access-key and --secret-key, so that requests must be signed")
        }
        if (config.accessKey == nil) != (config.secretKey == nil) {
            throw APIError.invalidParameter("serve: --access-key and --secret-key go together")
        }
        let context = ServerContext(
            store: store,
            engines: EnginePool(limit: config.engines) {
                ImageOperations(analyzer: try FaceAnalyzer(), describer: try FaceDescriberFactory.make(store: ModelStore()))
            },
            s3: try S3Root(config.s3Root), jobs: jobs, notificationCommand: config.notificationCommand,
            executable: "/proc/self/exe")
        let signer = config.accessKey.flatMap { key in config.secretKey.map { SignatureV4(accessKey: key, secretKey: $0) } }
        let limits = config

        let router = Router()
        router.post("/") { request, _ -> Response in
            await handle(request, context: context, signer: signer, limits: limits)
        }
        var logger = Logger(label: "facescan-serve")
        logger.logLevel = .warning
        let app = Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .seconds(config.idleTimeoutSeconds))),
            configuration: .init(address: .hostname(config.host, port: config.port), serverName: "facescan",
                                 availableConnectionsDelegate: MaximumAvailableConnections(config.maxConnections)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? config.port
                let host = config.host.contains(":") ? "[\(config.host)]" : config.host
                listening("http://\(host):\(port)")
            },
            logger: logger)
        try await app.runService()
    }

    static func handle(_ request: Request, context: ServerContext, signer: SignatureV4?, limits: EndpointConfiguration) async -> Response {
        let requestId = UUID().uuidString.lowercased()
        do {
            guard let target = request.headers[HTTPField.Name("X-Amz-Target")!], target.hasPrefix("RekognitionService.") else {
                throw ProtocolError("UnknownOperationException", "X-Amz-Target must name a RekognitionService operation")
            }
            let name = String(target.dropFirst("RekognitionService.".count))
            let maxBody = limits.bodyLimit(name)
            // Too large: for an operation with images, the images are (ImageTooLargeException).
            let tooLarge: APIError.Kind = limits.bodyLimit(name) > 1024 * 1024 ? .imageTooLarge : .invalidParameter
            if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBody {
                throw APIError(tooLarge, "the request body of \(length) bytes exceeds the \(maxBody)-byte limit of \(name)")
            }
            var body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: maxBody)
            } catch is NIOTooManyBytesError {
                throw APIError(tooLarge, "the request body exceeds the \(maxBody)-byte limit of \(name)")
            }
            let bytes = body.readBytes(length: body.readableBytes) ?? []
            if let signer { try signer.verify(signedRequest(request, bytes)) }
            guard let handler = OperationTable.all[name] else {
                throw ProtocolError("UnknownOperationException", "facescan does not serve the operation \(name)")
            }
            let document: JSON
            do {
                document = try JSON(parsing: String(decoding: bytes.isEmpty ? Array("{}".utf8) : bytes, as: UTF8.self))
            } catch {
                throw ProtocolError("SerializationException", "the request body is not JSON: \(error)")
            }
            let members = try RequestMembers(operation: name, body: document)
            let output = try await blocking { try handler(members, context) }
            return reply(.ok, output.rendered(), requestId)
        } catch let e as ProtocolError {
            return failure(e.name, e.message, status: e.status, requestId)
        } catch let e as SignatureV4.Failure {
            return failure(e.name, e.message, status: .forbidden, requestId)
        } catch {
            let e = (error as? APIError) ?? (error as? APIErrorConvertible)?.apiError ?? APIError(.internalServerError, "unexpected failure: \(error)")
            return failure(e.kind.rawValue, e.message, status: e.kind == .internalServerError ? .internalServerError : .badRequest, requestId)
        }
    }

    static func signedRequest(_ request: Request, _ body: [UInt8]) -> SignatureV4.Request {
        var headers = request.headers.map { ($0.name.canonicalName, $0.value) }
        if !headers.contains(where: { $0.0 == "host" }), let authority = request.head.authority { headers.append(("host", authority)) }
        return SignatureV4.Request(method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "",
                                   headers: headers, body: body)
    }

    /// Runs blocking work (inference, SQLite) off the server's event loops.
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try body() })
            }
        }
    }

    static func reply(_ status: HTTPResponse.Status, _ text: String, _ requestId: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/x-amz-json-1.1"
        headers[HTTPField.Name("x-amzn-RequestId")!] = requestId
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func failure(_ name: String, _ message: String, status: HTTPResponse.Status, _ requestId: String) -> Response {
        var r = reply(status, JSON.object([("__type", .string(name)), ("message", .string(message))]).rendered(), requestId)
        r.headers[HTTPField.Name("x-amzn-ErrorType")!] = name
        return r
    }
}

/// An error of the protocol rather than of an operation: unknown operation, a body that is not JSON.
struct ProtocolError: Error {
    let name: String
    let message: String
    var status: HTTPResponse.Status = .badRequest
    init(_ name: String, _ message: String) {
        self.name = name
        self.message = message
    }
}
