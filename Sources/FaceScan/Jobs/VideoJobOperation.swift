/// A kind of stored video job: its Start and Get operations, how its results are paged and how its
/// analysis runs. The store, the worker, pagination and the CLI verbs are written against this, so each
/// kind (StartFaceDetection/GetFaceDetection, StartFaceSearch/GetFaceSearch) is one value in `all`.
public struct VideoJobOperation: Sendable {
    /// "StartFaceDetection": the API recorded in the job and in its notification.
    public let startAPI: String
    /// "GetFaceDetection": the operation whose response pages print.
    public let getAPI: String
    /// The response member holding the result items: "Faces".
    public let itemsKey: String
    /// The SortBy values, the first being the order in which the analysis stores items (TIMESTAMP).
    /// Other orders are stored by the analysis as permutations (`JobSink.addOrder`).
    public let sortOrders: [String]
    /// NextToken is printed before VideoMetadata (GetFaceSearch's member order).
    public let nextTokenFirst: Bool
    /// Runs the analysis of a job, sending items (in the first sort order), progress and warnings to the sink.
    public let run: @Sendable (JobRequest, JobSink) throws -> Void
    /// Analyses one segment of a job (the request's Start and End are the segment's, `VideoSegments`),
    /// sending the segment's own items to the sink: what `merge` reads back.
    public let segment: @Sendable (JobRequest, JobSink) throws -> Void
    /// The last step of a job analysed in segments: reads every segment's items in video order (the
    /// function it is given calls its argument with each) and sends the job's items to the sink.
    public let merge: @Sendable (JobRequest, (_ each: (String) throws -> Void) throws -> Void, JobSink) throws -> Void

    public init(startAPI: String, getAPI: String, itemsKey: String, sortOrders: [String], nextTokenFirst: Bool = false,
                run: @escaping @Sendable (JobRequest, JobSink) throws -> Void,
                segment: @escaping @Sendable (JobRequest, JobSink) throws -> Void = { r, _ in throw VideoJobOperation.unsplittable(r) },
                merge: @escaping @Sendable (JobRequest, (_ each: (String) throws -> Void) throws -> Void, JobSink) throws -> Void = { r, _, _ in
                    throw VideoJobOperation.unsplittable(r)
                }) {
        self.startAPI = startAPI
        self.getAPI = getAPI
        self.itemsKey = itemsKey
        self.sortOrders = sortOrders
        self.nextTokenFirst = nextTokenFirst
        self.run = run
        self.segment = segment
        self.merge = merge
    }

    public static func unsplittable(_ r: JobRequest) -> APIError {
        APIError(.internalServerError, "\(r.api) jobs cannot be analysed in segments")
    }

    /// The number of a SortBy value in `sortOrders` (nil: the first).
    /// - Throws: InvalidParameterException for a value not in `sortOrders`.
    public func sortOrder(_ sortBy: String?) throws -> Int {
        let name = sortBy ?? sortOrders[0]
        guard let order = sortOrders.firstIndex(of: name) else {
            throw APIError.invalidParameter("SortBy must be one of \(sortOrders.joined(separator: ", ")), not \"\(name)\"")
        }
        return order
    }

    /// Every kind of job facescan runs.
    public static var all: [VideoJobOperation] { [.faceDetection, .faceSearch] }

    /// The kind whose Start operation is `api`.
    public static func started(by api: String) -> VideoJobOperation? { all.first { $0.startAPI == api } }
}

/// Where a running analysis sends its results.
public protocol JobSink: AnyObject {
    /// Appends result items, in the operation's first sort order. Every call (even with no items) is
    /// where a stopped or deleted job's analysis ends, with the error this throws.
    func append(_ items: [JSON]) throws
    /// Appends items already rendered as compact JSON texts (one object each, no newline).
    func appendTexts(_ items: [String]) throws
    /// Stores another sort order (named in `sortOrders`) once every item is appended: `permutation[k]`
    /// is the number of the item shown k-th.
    func addOrder(_ name: String, permutation: [Int]) throws
    /// How far the analysis got: frames analysed, video time reached, video duration (ms).
    func progress(frames: Int, position: Int64, duration: Int64?)
    /// Something the user should be told (e.g. skipped corrupt packets).
    func warn(_ message: String)
}
