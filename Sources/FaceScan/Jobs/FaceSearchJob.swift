import Foundation

/// StartFaceSearch / GetFaceSearch as a stored job: the request's parameters and the analysis.
///
/// The collection is loaded (and its cache refreshed) by the job, in the process that runs it; its
/// warnings (images without a face, with several) become the job's warnings. The search pipeline decides
/// identities at the end of the video, so the Persons are stored at the end, in TIMESTAMP order, followed
/// by the INDEX order; progress is recorded frame by frame meanwhile.
extension VideoJobOperation {
    public static let faceSearch = VideoJobOperation(
        startAPI: "StartFaceSearch", getAPI: "GetFaceSearch", itemsKey: "Persons", sortOrders: ["TIMESTAMP", "INDEX"],
        nextTokenFirst: true,
        run: { request, sink in
            let search = try FaceSearchJob.searchRequest(request)
            let pipeline = try FaceSearchPipeline()
            let loaded = try FaceCollection(directory: search.collection, analyzer: pipeline.analyzer, describer: pipeline.describer)
            loaded.warnings.forEach(sink.warn)
            let collection = try loaded.requiringFaces()
            let result = try pipeline.run(search, collection: collection) {
                frames, position, duration in
                sink.progress(frames: frames, position: position, duration: duration)
                try sink.append([])  // no items yet; stops here when the job was interrupted or deleted
            }
            result.warnings.forEach(sink.warn)
            try sink.append(result.persons.map(\.json))
            try sink.addOrder("INDEX", permutation: FaceSearchJob.indexOrder(result.persons))
        })
}

/// Conversions between a `FaceSearchRequest` and the parameters stored in a job, in a normal form
/// (`VideoJobParameters`): CollectionId is the collection folder's absolute path, so the same folder
/// named two ways is the same request.
public enum FaceSearchJob {
    /// The job request for a search request (the video's and the collection's paths made absolute).
    public static func jobRequest(_ r: FaceSearchRequest, jobTag: String? = nil, notificationCommand: String? = nil) -> JobRequest {
        var p: [String: String] = [
            "CollectionId": r.collection.standardizedFileURL.path,
            "FaceMatchThreshold": r.faceMatchThreshold.description,
        ]
        VideoJobParameters.store(sampling: r.sampling, start: r.start, end: r.end, into: &p)
        return JobRequest(api: VideoJobOperation.faceSearch.startAPI, video: r.path, jobTag: jobTag,
                          notificationCommand: notificationCommand, parameters: p)
    }

    /// The search request a stored job describes.
    /// - Throws: InternalServerError when the stored parameters are not ones `jobRequest` writes.
    public static func searchRequest(_ job: JobRequest) throws -> FaceSearchRequest {
        guard let collection = job.parameters["CollectionId"], collection.hasPrefix("/") else {
            throw VideoJobParameters.damaged(job, "CollectionId")
        }
        var r = FaceSearchRequest(path: job.video, collection: URL(fileURLWithPath: collection))
        guard let threshold = Float(job.parameters["FaceMatchThreshold"] ?? ""), threshold >= 0, threshold <= 100 else {
            throw VideoJobParameters.damaged(job, "FaceMatchThreshold")
        }
        r.faceMatchThreshold = threshold
        (r.sampling, r.start, r.end) = try VideoJobParameters.read(job)
        return r
    }

    /// GetFaceSearch's SortBy INDEX: `persons` (in TIMESTAMP order) by person Index, then Timestamp, as
    /// a permutation (the k-th number is the position in `persons` of the match shown k-th).
    public static func indexOrder(_ persons: [PersonMatch]) -> [Int] {
        persons.indices.sorted { a, b in
            (persons[a].person.index, persons[a].timestamp, a) < (persons[b].person.index, persons[b].timestamp, b)
        }
    }
}
