import Foundation

/// StartFaceSearch / GetFaceSearch as a stored job: the request's parameters and the analysis.
///
/// The collection is loaded (and its cache refreshed) by the job, in the process that runs it; its
/// warnings (images without a face, with several) become the job's warnings. The search pipeline decides
/// identities at the end of the video, so the Persons are stored at the end (streamed from the
/// pipeline's temporary file, a frame at a time), in TIMESTAMP order, followed by the INDEX order;
/// progress is recorded frame by frame meanwhile.
extension VideoJobOperation {
    public static let faceSearch = VideoJobOperation(
        startAPI: "StartFaceSearch", getAPI: "GetFaceSearch", itemsKey: "Persons", sortOrders: ["TIMESTAMP", "INDEX"],
        nextTokenFirst: true,
        run: { request, sink in
            let search = try FaceSearchJob.searchRequest(request)
            let pipeline = try FaceSearchPipeline()
            let collection = try search.collection.load(analyzer: pipeline.analyzer, describer: pipeline.describer)
            collection.warnings.forEach(sink.warn)
            var indices: [Int32] = []
            let summary = try pipeline.run(search, collection: collection, progress: { frames, position, duration in
                sink.progress(frames: frames, position: position, duration: duration)
                try sink.append([])  // no items yet; stops here when the job was interrupted or deleted
            }, emit: { persons in
                indices += persons.map { Int32(truncatingIfNeeded: $0.person.index) }
                try sink.append(persons.map(\.json))
            })
            summary.warnings.forEach(sink.warn)
            try sink.addOrder("INDEX", permutation: FaceSearchJob.indexOrder(indices))
        },
        // A segment stores its described runs (`DescribedRun`, one JSON line each); the merge links them
        // all into persons, as a single process does, and matches them against the collection.
        segment: { request, sink in
            let search = try FaceSearchJob.searchRequest(request)
            let pipeline = try WorkerPipelines.shared.search()
            var frames = 0
            let encoder = JSONEncoder()
            let described = try pipeline.describe(search, progress: { start, duration in
                sink.progress(frames: 0, position: start, duration: duration)
            }) { run in
                try sink.appendTexts([String(decoding: try encoder.encode(run), as: UTF8.self)])
                frames += run.frames.count
                if let last = run.frames.last { sink.progress(frames: frames, position: last.timestamp, duration: nil) }
            }
            described.warnings.forEach(sink.warn)
        },
        merge: { request, segments, sink in
            let search = try FaceSearchJob.searchRequest(request)
            let collection: FaceCollection
            switch search.collection {
            case .stored(let location, let id): collection = FaceCollection(stored: try CollectionStores.open(location).allFaces(in: id))
            case .folder:
                let pipeline = try WorkerPipelines.shared.search()
                collection = try search.collection.load(analyzer: pipeline.analyzer, describer: pipeline.describer)
            }
            collection.warnings.forEach(sink.warn)
            let linker = try PersonLinker()
            let decoder = JSONDecoder()
            try segments { text in
                guard let run = try? decoder.decode(DescribedRun.self, from: Data(text.utf8)), run.isWellFormed else {
                    throw APIError(.internalServerError, "a segment's stored analysis is damaged; start the job again")
                }
                try linker.add(run)
                try sink.append([])
            }
            var indices: [Int32] = []
            try linker.finish(collection: collection, threshold: search.faceMatchThreshold) { persons in
                indices += persons.map { Int32(truncatingIfNeeded: $0.person.index) }
                try sink.append(persons.map(\.json))
            }
            try sink.addOrder("INDEX", permutation: FaceSearchJob.indexOrder(indices))
        })
}

/// Conversions between a `FaceSearchRequest` and the parameters stored in a job, in a normal form
/// (`VideoJobParameters`): CollectionId is the collection folder's absolute path, so the same folder
/// named two ways is the same request, or a stored collection's CollectionId with its store's location
/// in CollectionStore.
public enum FaceSearchJob {
    /// The job request for a search request (the video's and the collection's paths made absolute).
    public static func jobRequest(_ r: FaceSearchRequest, jobTag: String? = nil, notificationCommand: String? = nil) -> JobRequest {
        var p: [String: String] = ["FaceMatchThreshold": r.faceMatchThreshold.description]
        switch r.collection {
        case .folder(let url): p["CollectionId"] = url.standardizedFileURL.path
        case .stored(let location, let id): p["CollectionId"] = id; p["CollectionStore"] = location
        }
        VideoJobParameters.store(sampling: r.sampling, start: r.start, end: r.end, tracking: r.tracking, into: &p)
        return JobRequest(api: VideoJobOperation.faceSearch.startAPI, video: r.path, jobTag: jobTag,
                          notificationCommand: notificationCommand, parameters: p)
    }

    /// The search request a stored job describes.
    /// - Throws: InternalServerError when the stored parameters are not ones `jobRequest` writes.
    public static func searchRequest(_ job: JobRequest) throws -> FaceSearchRequest {
        let source: CollectionSource
        switch (job.parameters["CollectionId"], job.parameters["CollectionStore"]) {
        case (let id?, let location?) where APIValidation.isCollectionId(id): source = .stored(location: location, id: id)
        case (let folder?, nil) where folder.hasPrefix("/"): source = .folder(URL(fileURLWithPath: folder))
        default: throw VideoJobParameters.damaged(job, "CollectionId")
        }
        var r = FaceSearchRequest(path: job.video, collection: source)
        guard let threshold = Float(job.parameters["FaceMatchThreshold"] ?? ""), threshold >= 0, threshold <= 100 else {
            throw VideoJobParameters.damaged(job, "FaceMatchThreshold")
        }
        r.faceMatchThreshold = threshold
        (r.sampling, r.start, r.end, r.tracking) = try VideoJobParameters.read(job)
        r.continuesSampling = VideoSegments.continues(job)
        return r
    }

    /// GetFaceSearch's SortBy INDEX as a permutation of the Persons in TIMESTAMP order, given their
    /// person Indexes in that order: by Index, then Timestamp (the k-th number is the position of the
    /// match shown k-th).
    public static func indexOrder(_ indices: [Int32]) -> [Int] {
        indices.indices.sorted { a, b in (indices[a], a) < (indices[b], b) }
    }
}
