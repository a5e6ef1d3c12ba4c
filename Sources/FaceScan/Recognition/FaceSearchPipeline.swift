import Foundation

/// The collection a search matches against: a folder of photos, or a collection in a store.
public enum CollectionSource: Sendable, Equatable {
    case folder(URL)
    /// CollectionId `id` in the store at `location` (`CollectionStores.open`).
    case stored(location: String, id: String)

    /// The collection's faces: a folder is indexed (and its cache refreshed), a stored collection read.
    /// - Throws: ResourceNotFoundException for a folder or collection that does not exist.
    public func load(analyzer: FaceAnalyzer, describer: FaceDescribing) throws -> FaceCollection {
        switch self {
        case .folder(let url): return try FaceCollection(directory: url, analyzer: analyzer, describer: describer)
        case .stored(let location, let id): return FaceCollection(stored: try CollectionStores.open(location).allFaces(in: id))
        }
    }
}

/// Parameters of a face search in a video.
public struct FaceSearchRequest: Sendable {
    public var path: String
    public var collection: CollectionSource
    public var sampling: FrameSampling = .default
    public var start: Int64?
    public var end: Int64?
    /// FaceMatchThreshold: matches below this Similarity are not reported (the API's default 80).
    public var faceMatchThreshold: Float = 80
    /// How often the full detector runs; faces are followed by their mesh in between.
    public var tracking: TrackingSchedule = .default
    /// The range continues a sampling begun earlier in the video (a segment of a job):
    /// `VideoReader.configure(continuing:)`.
    public var continuesSampling = false

    public init(path: String, collection: URL) {
        self.path = path
        self.collection = .folder(collection)
    }

    public init(path: String, collection: CollectionSource) {
        self.path = path
        self.collection = collection
    }
}

/// What a search found besides its Persons (which it streams as it produces them).
public struct FaceSearchSummary: Sendable {
    public var metadata: VideoMetadata
    public var framesAnalysed: Int
    public var personsTracked: Int
    /// PersonMatches produced.
    public var personMatches: Int
    /// Problems with the video (e.g. packets that could not be decoded); the collection's own are in
    /// `FaceCollection.warnings`.
    public var warnings: [String]
}

public struct FaceSearchResult: Sendable {
    public var metadata: VideoMetadata
    /// Sorted by Timestamp, then Index.
    public var persons: [PersonMatch]
    public var framesAnalysed: Int
    public var personsTracked: Int
    public var warnings: [String]
}

/// "When does each person I know appear in this video?": find the faces of the sampled frames, following
/// each through a run of frames by its mesh (`FaceAnalyzer.analyse(run:)`), describe each track once on
/// its best frame of the run (large, frontal, sharp), link the tracks into persons (`FaceTracker`),
/// decide each person's identity from their tracks' descriptors, and report every person at each time
/// they appear, with the collection faces they match.
///
/// A person's similarity to a collection face is that of the mean of the person's descriptors (one per
/// track and run, about one a second): averaging cancels much of the noise of single frames (pose, blur,
/// lighting), so one lucky frame does not make a match and a face seen in profile through several
/// frames can still be recognised. On the profile close-up of short_hamilton_clip.mp4 single frames lie
/// 0.56–0.67 from the person's photo, their mean 0.575. Every time the person appears, their
/// PersonMatch lists those collection faces, each with the Similarity of that track's descriptor to it
/// (so it varies from second to second, and may fall below the threshold in a hard stretch of a person
/// whose identity the person's tracks together decided); a track whose own face is clearly someone else
/// (a wrong link) gets no FaceMatches. A person who matches nobody is listed with empty FaceMatches, as
/// the service lists every person it tracks.
///
/// Faces are kept in a temporary file until the end of the video (`SightingLog`), not in memory, so
/// memory stays flat however long the video; PersonMatches are handed to `emit` a frame at a time.
public final class FaceSearchPipeline {
    private let workers: WorkerSet<(analyzer: FaceAnalyzer, describer: FaceDescribing)>
    /// A track's seconds are reported as a match only if their own descriptor is this close to the
    /// matched collection face: it drops stretches of someone else wrongly linked to a person (e.g.
    /// across a cut, at the same place in the picture), while a hard stretch of the right person
    /// (profile, blur: 0.56–0.67 on short_hamilton_clip.mp4) stays.
    public static let frameVetoDistance: Float = 0.735

    /// One analyser and describer per thread: frames are analysed that many at a time, in parallel.
    public init(workers: [(analyzer: FaceAnalyzer, describer: FaceDescribing)]) {
        self.workers = WorkerSet(workers)
    }

    public convenience init(analyzer: FaceAnalyzer, describer: FaceDescribing) {
        self.init(workers: [(analyzer, describer)])
    }

    /// The first worker's analyser and describer (e.g. to index a collection with).
    public var analyzer: FaceAnalyzer { workers.workers[0].analyzer }
    public var describer: FaceDescribing { workers.workers[0].describer }

    /// Loads `threads` analysers and descriptors from the store, built at once on as many threads.
    public convenience init(store: ModelStore = ModelStore(), threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws {
        let set = try WorkerSet(making: threads, verifying: FaceAnalyzer.models + [.faceRecognitionResNet, .shapePredictor5], in: store) {
            (analyzer: try FaceAnalyzer(store: store, threads: min(threads, 2)), describer: try FaceDescriberFactory.make(store: store))
        }
        self.init(workers: set.workers)
    }

    /// Searches the video for the collection's faces, handing the PersonMatches to `emit` in Timestamp
    /// (then Index) order, a frame's at a time, once the whole video has been analysed.
    /// - Parameter progress: called after every analysed frame with the frames analysed, the video time
    ///   reached and the duration (ms); an error it throws stops the search (a job stopped or deleted).
    public func run(_ request: FaceSearchRequest, collection: FaceCollection,
                    progress: (Int, Int64, Int64?) throws -> Void = { _, _, _ in },
                    emit: ([PersonMatch]) throws -> Void) throws -> FaceSearchSummary {
        let linker = try PersonLinker()
        var duration: Int64?
        let described = try describe(request, progress: { start, d in duration = d; try progress(0, start, d) }) { run in
            try linker.add(run) { timestamp in try progress(linker.frames, timestamp, duration) }
        }
        let produced = try linker.finish(collection: collection, threshold: request.faceMatchThreshold, emit: emit)
        return FaceSearchSummary(metadata: described.metadata, framesAnalysed: linker.frames, personsTracked: linker.personCount,
                                 personMatches: produced, warnings: described.warnings)
    }

    /// What `describe` read: the video's metadata, and its warnings (undecodable packets).
    public struct Described: Sendable {
        public var metadata: VideoMetadata
        public var warnings: [String]
    }

    /// The costly part of a search, without the collection: the request's frames read, grouped into
    /// runs, analysed and described on every worker at once, and handed to `each` in video order.
    /// - Parameter started: called once analysis begins, with the start time and the video's duration.
    public func describe(_ request: FaceSearchRequest, progress started: (Int64, Int64?) throws -> Void = { _, _ in },
                         each: (DescribedRun) throws -> Void) throws -> Described {
        let reader = try VideoReader(path: request.path)
        reader.configure(sampling: request.sampling, start: request.start, end: request.end, continuing: request.continuesSampling)
        let runs = RunsAhead(FrameRuns(reader, schedule: request.tracking), capacity: workers.workers.count)
        defer { runs.finish() }
        // Analysis has begun (models loaded, collection indexed): a job's Progress says so at once.
        try started(request.start ?? 0, reader.metadata.durationMillis)
        try workers.forEachRun(runs, analyse: { worker, run in try Self.describe(run, worker.analyzer, worker.describer) },
                               emit: { _, run in try each(run) })
        runs.finish()
        var warnings: [String] = []
        if reader.skippedPackets > 0 {
            warnings.append("\(request.path): skipped \(reader.skippedPackets) packet(s) or frame(s) that could not be decoded")
        }
        return Described(metadata: reader.metadata, warnings: warnings)
    }

    /// A run of frames analysed (`FaceAnalyzer.analyse(run:)`) and each track described once a second,
    /// on its best frame of that second (`bestness`): every face of the track in that second carries
    /// that descriptor, and its number within the run (`sample`).
    static func describe(_ run: [SampledFrame], _ analyzer: FaceAnalyzer, _ describer: FaceDescribing) throws -> DescribedRun {
        struct Key: Hashable { var track: Int, second: Int64 }
        let tracked = try analyzer.analyse(run: run)
        func key(_ f: TrackedFace, _ k: Int) -> Key { Key(track: f.track, second: (run[k].timestamp - run[0].timestamp) / 1000) }
        var best: [Key: (frame: Int, face: TrackedFace, score: Double)] = [:]
        for (k, faces) in tracked.enumerated() {
            for f in faces {
                let score = bestness(f.face.detail, frameHeight: run[k].image.height)
                if (best[key(f, k)]?.score ?? -1) < score { best[key(f, k)] = (k, f, score) }
            }
        }
        var descriptors: [Key: (values: [Float], sample: Int)] = [:]
        for (k, b) in best.sorted(by: { ($0.key.track, $0.key.second) < ($1.key.track, $1.key.second) }) {
            descriptors[k] = (try describer.describe(run[b.frame].image, b.face.face.detection), descriptors.count)
        }
        return DescribedRun(frames: tracked.enumerated().map { k, faces in
            DescribedRun.Frame(timestamp: run[k].timestamp, faces: faces.map { f in
                let d = descriptors[key(f, k)]!, box = f.face.detection
                return DescribedRun.Face(track: f.track, sample: d.sample, box: [box.xmin, box.ymin, box.xmax, box.ymax],
                                         descriptor: d.values, detail: f.face.detail)
            })
        })
    }

    /// How well a frame shows a face for recognition: its height in pixels (up to the 150-pixel chip the
    /// descriptor sees), times how frontal it is (cosines of yaw and pitch), times its sharpness.
    static func bestness(_ face: FaceDetail, frameHeight: Int) -> Double {
        let height = min(150, Double(face.boundingBox.height) * Double(frameHeight))
        let yaw = Double(face.pose?.yaw ?? 60) * .pi / 180, pitch = Double(face.pose?.pitch ?? 30) * .pi / 180
        let frontal = max(0.1, cos(yaw)) * max(0.1, cos(pitch))
        let sharp = 0.5 + Double(face.quality?.sharpness ?? 50) / 200
        return height * frontal * sharp
    }

    /// The whole search at once (for short videos: every PersonMatch is kept in memory).
    public func run(_ request: FaceSearchRequest, collection: FaceCollection,
                    progress: (Int, Int64, Int64?) throws -> Void = { _, _, _ in }) throws -> FaceSearchResult {
        var persons: [PersonMatch] = []
        let summary = try run(request, collection: collection, progress: progress) { persons += $0 }
        return FaceSearchResult(metadata: summary.metadata, persons: persons, framesAnalysed: summary.framesAnalysed,
                                personsTracked: summary.personsTracked, warnings: summary.warnings)
    }
}
