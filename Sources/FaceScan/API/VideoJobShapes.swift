/// The response of a Start operation (StartFaceDetection, StartFaceSearch): `{"JobId": "..."}`.
public struct StartJobResponse: Sendable, JSONRepresentable {
    public var jobId: String

    public init(jobId: String) { self.jobId = jobId }

    public var json: JSON { .object([("JobId", .string(jobId))]) }
}

/// One page of a Get operation over a stored video job (GetFaceDetection; GetFaceSearch has the same
/// members with `Persons` for `Faces` and NextToken before VideoMetadata). Items are the result
/// objects of the page, in order. `Video` is echoed for a job started with an S3Object (by the endpoint);
/// a job started on a file has none.
public struct VideoJobPageResponse: Sendable, JSONRepresentable {
    public var jobStatus: JobStatus
    public var statusMessage: String?
    public var videoMetadata: VideoMetadata?
    public var nextToken: String?
    /// The member holding the items: "Faces", "Persons".
    public var itemsKey: String
    public var items: [JSON]
    /// True when NextToken comes before VideoMetadata (GetFaceSearch's documented order).
    public var nextTokenFirst: Bool
    public var jobId: String?
    public var jobTag: String?
    /// The S3Object the job's video was named by: Bucket, Name.
    public var video: (bucket: String, name: String)?

    public init(jobStatus: JobStatus, statusMessage: String? = nil, videoMetadata: VideoMetadata?, nextToken: String? = nil,
                itemsKey: String, items: [JSON], nextTokenFirst: Bool = false, jobId: String? = nil, jobTag: String? = nil,
                video: (bucket: String, name: String)? = nil) {
        self.jobStatus = jobStatus
        self.statusMessage = statusMessage
        self.videoMetadata = videoMetadata
        self.nextToken = nextToken
        self.itemsKey = itemsKey
        self.items = items
        self.nextTokenFirst = nextTokenFirst
        self.jobId = jobId
        self.jobTag = jobTag
        self.video = video
    }

    public var json: JSON {
        let token: (String, JSON?) = ("NextToken", nextToken.map { .string($0) })
        return .members([("JobStatus", .string(jobStatus.rawValue)), ("StatusMessage", statusMessage.map { .string($0) })]
            + (nextTokenFirst ? [token, ("VideoMetadata", videoMetadata?.json)] : [("VideoMetadata", videoMetadata?.json), token])
            + [(itemsKey, .array(items)), ("JobId", jobId.map { .string($0) }),
               ("Video", video.map { .object([("S3Object", .object([("Bucket", .string($0.bucket)), ("Name", .string($0.name))]))]) }),
               ("JobTag", jobTag.map { .string($0) })])
    }
}
