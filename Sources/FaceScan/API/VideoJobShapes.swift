/// The response of a Start operation (StartFaceDetection, StartFaceSearch): `{"JobId": "..."}`.
public struct StartJobResponse: Sendable, JSONRepresentable {
    public var jobId: String

    public init(jobId: String) { self.jobId = jobId }

    public var json: JSON { .object([("JobId", .string(jobId))]) }
}

/// One page of a Get operation over a stored video job (GetFaceDetection; GetFaceSearch has the same
/// members with `Persons` for `Faces` and NextToken before VideoMetadata). Items are the result
/// objects of the page, in order. `Video` (an S3 location) is left out: facescan's input is a file.
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

    public init(jobStatus: JobStatus, statusMessage: String? = nil, videoMetadata: VideoMetadata?, nextToken: String? = nil,
                itemsKey: String, items: [JSON], nextTokenFirst: Bool = false, jobId: String? = nil, jobTag: String? = nil) {
        self.jobStatus = jobStatus
        self.statusMessage = statusMessage
        self.videoMetadata = videoMetadata
        self.nextToken = nextToken
        self.itemsKey = itemsKey
        self.items = items
        self.nextTokenFirst = nextTokenFirst
        self.jobId = jobId
        self.jobTag = jobTag
    }

    public var json: JSON {
        let token: (String, JSON?) = ("NextToken", nextToken.map { .string($0) })
        return .members([("JobStatus", .string(jobStatus.rawValue)), ("StatusMessage", statusMessage.map { .string($0) })]
            + (nextTokenFirst ? [token, ("VideoMetadata", videoMetadata?.json)] : [("VideoMetadata", videoMetadata?.json), token])
            + [(itemsKey, .array(items)), ("JobId", jobId.map { .string($0) }), ("JobTag", jobTag.map { .string($0) })])
    }
}
