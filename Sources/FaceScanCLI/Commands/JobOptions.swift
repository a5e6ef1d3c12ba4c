import FaceScan
import Foundation

/// Options of the job verbs, named after the API's parameters.
enum JobOptions {
    static let jobId = OptionSpec(
        "job-id", .text(accepts: "a JobId: 1 to 64 letters, digits, - and _", valid: { JobStore.isValidId($0) }), valueName: "ID",
        api: "JobId", required: true, help: "the job, as its start command printed it")
    static let maxResults = OptionSpec(
        "max-results", .integer(min: 1, max: nil), valueName: "N", api: "MaxResults", default: "1000",
        help: "results per page; a larger value serves 1000")
    static let nextToken = OptionSpec(
        "next-token", .text(accepts: "the NextToken of the previous page (at most 255 characters)", valid: { $0.utf8.count <= 255 }),
        valueName: "TOKEN", api: "NextToken", emptyMeansAbsent: true,
        help: "print the page after the one that gave this token; an empty TOKEN means the first page")
    static let clientRequestToken = OptionSpec(
        "client-request-token", .text(accepts: "1 to 64 letters, digits, - and _", valid: { JobStore.isValidId($0) }), valueName: "TOKEN",
        api: "ClientRequestToken",
        help: "idempotency: a start repeated with the same token and parameters returns the same JobId and starts nothing")
    static let jobTag = OptionSpec(
        "job-tag", .text(accepts: "1 to 1024 letters, digits and _.-:+=/", valid: { isValidJobTag($0) }), valueName: "TAG", api: "JobTag",
        help: "a label returned with the results and in the notification")
    static let notificationCommand = OptionSpec(
        "notification-command", .text(accepts: "a shell command", valid: { !$0.isEmpty }), valueName: "CMD",
        api: "NotificationChannel",
        help: "run CMD with /bin/sh once the job ends, the completion message (JSON) on its stdin")
    static let faceAttributes = OptionSpec(
        "face-attributes", .choice(FaceAttributes.allCases.map(\.rawValue)), valueName: "SET", api: "FaceAttributes",
        default: "DEFAULT",
        help: "DEFAULT: BoundingBox, Confidence, Landmarks, Pose, Quality; ALL adds EyesOpen, MouthOpen, EyeDirection, Emotions")
    static let output = OptionSpec(
        "output", .choice(["json", "jsonl"]), valueName: "FORMAT", default: "json",
        help: "json: one document; jsonl: each page as one compact JSON line, printed as soon as it is complete")
    static let sortBy = OptionSpec(
        "sort-by", .choice(VideoJobOperation.faceSearch.sortOrders), valueName: "KEY", api: "SortBy", default: "TIMESTAMP",
        help: "order of Persons: by time, or by person Index then time")
    static let minConfidence = OptionSpec(
        "min-confidence", .number(min: 0, max: 100), valueName: "PERCENT", default: "50",
        help: "report only faces with at least this Confidence")

    /// JobTag's API pattern `[a-zA-Z0-9_.\-:+=\/]+`, 1 to 1024 characters.
    static func isValidJobTag(_ s: String) -> Bool { APIValidation.isJobTag(s) }

    /// The options of every start command: ClientRequestToken, JobTag, NotificationChannel.
    static let start = [clientRequestToken, jobTag, notificationCommand]

    /// The detection job the options describe (FILE made absolute, as jobs store it), with FILE's
    /// VideoMetadata. FILE is checked first, as StartFaceDetection checks it: a missing, unreadable or
    /// too large file fails here rather than in the job.
    static func detectionJob(_ args: ParsedArguments) throws -> (JobRequest, VideoMetadata) {
        let metadata = try VideoReader(path: args.positionals[0]).metadata
        var request = FaceDetectionRequest(path: absolute(args.positionals[0]))
        (request.sampling, request.start, request.end, request.tracking) = VideoOptions.frames(args)
        request.minConfidence = Float(args.double("min-confidence") ?? 50)
        request.faceAttributes = args.string("face-attributes").flatMap(FaceAttributes.init(rawValue:)) ?? .default
        return (FaceDetectionJob.jobRequest(request, jobTag: args.string("job-tag"), notificationCommand: args.string("notification-command")),
                metadata)
    }

    /// The search job the options describe (FILE and the collection made absolute), with FILE's
    /// VideoMetadata. FILE is checked first, then what is cheap to check of the collection (it exists and
    /// is a readable folder); finding the faces of its images is the job's work.
    static func searchJob(_ args: ParsedArguments) throws -> (JobRequest, VideoMetadata) {
        let metadata = try VideoReader(path: args.positionals[0]).metadata
        let source: CollectionSource
        if let id = args.string("collection-id") {
            let store = try CommandTable.openStore(args)
            _ = try store.describeCollection(id)
            source = .stored(location: store.location, id: id)
        } else {
            let collection = URL(fileURLWithPath: absolute(args.string("collection")!))
            try FaceCollection.check(directory: collection)
            source = .folder(collection)
        }
        var request = FaceSearchRequest(path: absolute(args.positionals[0]), collection: source)
        (request.sampling, request.start, request.end, request.tracking) = VideoOptions.frames(args)
        request.faceMatchThreshold = Float(args.double("face-match-threshold") ?? 80)
        return (FaceSearchJob.jobRequest(request, jobTag: args.string("job-tag"), notificationCommand: args.string("notification-command")),
                metadata)
    }

    /// The canonical absolute path of a file or folder (symbolic links, `.`, `..` and repeated `/`
    /// resolved), so that one file named two ways is one request for ClientRequestToken.
    static func absolute(_ path: String) -> String {
        if let resolved = realpath(path, nil) {
            defer { free(resolved) }
            return String(cString: resolved)
        }
        return URL(fileURLWithPath: path).standardizedFileURL.path
    }
}
