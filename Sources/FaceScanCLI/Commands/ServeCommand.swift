import FaceScan
import FaceScanServer
import FaceScanStore
import Foundation

extension CommandTable {
    static let serve = CommandSpec(
        name: "serve",
        summary: "Answer Rekognition's API over HTTP, for boto3, aws-cli and other AWS SDKs (--endpoint-url).",
        details: """
        Serves Rekognition's AWS JSON 1.1 protocol on http://HOST:PORT/: POST / with X-Amz-Target \
        RekognitionService.OPERATION. Operations: CreateCollection, DeleteCollection, ListCollections, \
        DescribeCollection, IndexFaces, ListFaces, DeleteFaces, SearchFaces, SearchFacesByImage, \
        DetectFaces, CompareFaces, StartFaceDetection, GetFaceDetection, StartFaceSearch, GetFaceSearch. \
        Responses are the documents the commands of the same names print; errors are HTTP 400 (500 for \
        InternalServerError) with {"__type", "message"}, which boto3 raises as its modelled exceptions. \
        Images come as Bytes (at most 5 MB) or as an S3Object {Bucket, Name}, read from the file \
        DIR/Bucket/Name under --s3-root (names with .., absolute names and links leading out of DIR are \
        an InvalidS3ObjectException); videos come as an S3Object. Collections are those of the \
        command-line verbs (the same SQLite database), and video jobs those of the job store: their \
        worker processes go on when the server stops, and a restarted server serves their results. A \
        NotificationChannel makes the job run --notification-command when it ends. Once listening, \
        prints {"Endpoint": URL} on stdout (with --port 0, the port chosen). \
        Binds to 127.0.0.1 by default; any other address requires --access-key and --secret-key, and \
        then every request must carry a valid AWS Signature Version 4 made with them (boto3 and aws-cli \
        sign with the credentials they are given). Limits: request bodies of 16 MB, 64 connections, \
        connections idle for 60 s are closed, 2 image operations at a time (others wait). Stops on \
        SIGINT or SIGTERM.
        """,
        options: [
            OptionSpec("host", .text(accepts: "an IP address or host name", valid: { !$0.isEmpty }), valueName: "ADDR", default: "127.0.0.1",
                       help: "address to listen on"),
            OptionSpec("port", .integer(min: 0, max: 65535), valueName: "N", default: "9000", help: "port to listen on (0: any free port)"),
            OptionSpec("s3-root", .path, valueName: "DIR", help: "folder whose sub-folders are S3 buckets: S3Object {Bucket, Name} is DIR/Bucket/Name"),
            OptionSpec("access-key", .text(accepts: "an access key id", valid: { !$0.isEmpty }), valueName: "KEY",
                       help: "require requests signed (Signature V4) with this access key id"),
            OptionSpec("secret-key", .text(accepts: "a secret access key", valid: { !$0.isEmpty }), valueName: "SECRET",
                       help: "the secret of --access-key (better: the environment variable FACESCAN_SECRET_KEY, which ps does not show)"),
            JobOptions.notificationCommand,
            StoreOption.option,
        ],
        examples: [
            "facescan serve --port 9000 --s3-root ~/media &",
            "aws rekognition list-collections --endpoint-url http://127.0.0.1:9000",
        ],
        run: { args, ctx in
            var config = EndpointConfiguration()
            config.host = args.string("host") ?? "127.0.0.1"
            config.port = args.int("port") ?? 9000
            config.s3Root = args.string("s3-root")
            config.accessKey = args.string("access-key")
            config.secretKey = args.string("secret-key") ?? ProcessInfo.processInfo.environment["FACESCAN_SECRET_KEY"].flatMap { $0.isEmpty ? nil : $0 }
            config.notificationCommand = args.string("notification-command")
            let store = try openStore(args)
            let jobs = try StoreOption.jobs(args)
            let emit = ctx.emit
            let done = DispatchSemaphore(value: 0)
            let outcome = ServeOutcome()
            Task {
                do {
                    try await Endpoint.run(config, store: store, jobs: jobs) { url in
                        try? emit(.object([("Endpoint", .string(url))]))
                    }
                } catch {
                    outcome.error = error
                }
                done.signal()
            }
            done.wait()
            if let error = outcome.error { throw Self.bindError(error, config) }
            return nil
        })

    /// An error of the listening socket (address in use, cannot be assigned) as an InvalidParameterException.
    static func bindError(_ error: Error, _ config: EndpointConfiguration) -> Error {
        if error is APIError { return error }
        return APIError.invalidParameter("serve cannot listen on \(config.host):\(config.port): \(error)")
    }
}

final class ServeOutcome: @unchecked Sendable { var error: Error? }
