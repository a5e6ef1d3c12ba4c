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

/// "When does each person I know appear in this video?": detect and describe every face of the sampled
/// frames, link them into persons (`FaceTracker`), decide each person's identity from their best frames,
/// and report every person at each time they appear, with the collection faces they match.
///
/// A person's similarity to a collection face is that of the mean of the person's descriptors (over
/// all the frames they appear in): averaging cancels much of the noise of single frames (pose, blur,
/// lighting), so one lucky frame does not make a match and a face seen in profile through several
/// frames can still be recognised. On the profile close-up of short_hamilton_clip.mp4 single frames lie
/// 0.56–0.67 from the person's photo, their mean 0.575. Every time the person appears, their
/// PersonMatch lists those collection faces, each with the Similarity of that frame's own face to it
/// (so it varies from frame to frame, and may fall below the threshold in a hard frame of a person
/// whose identity the track as a whole decided); a frame whose own face is clearly someone else (a
/// wrong link) gets no FaceMatches. A person who matches nobody is listed with empty FaceMatches, as
/// the service lists every person it tracks.
///
/// Faces are kept in a temporary file until the end of the video (`SightingLog`), not in memory, so
/// memory stays flat however long the video; PersonMatches are handed to `emit` a frame at a time.
public final class FaceSearchPipeline {
    private let workers: WorkerSet<(analyzer: FaceAnalyzer, describer: FaceDescribing)>
    /// A frame is reported as a match only if its own face is at least this similar to the matched
    /// collection face (distance about 0.75): it drops frames of someone else wrongly linked to a person
    /// (e.g. across a cut, at the same place in the picture), while a hard frame of the right person
    /// (profile, blur: 0.56–0.67 on short_hamilton_clip.mp4) stays.
    public static let frameVetoSimilarity: Float = 25

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

    /// Loads `threads` analysers and descriptors from the store.
    public convenience init(store: ModelStore = ModelStore(), threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws {
        self.init(workers: try (0..<max(1, threads)).map { _ in
            (try FaceAnalyzer(store: store, threads: 1), try FaceDescriberFactory.make(store: store))
        })
    }

    /// Searches the video for the collection's faces, handing the PersonMatches to `emit` in Timestamp
    /// (then Index) order, a frame's at a time, once the whole video has been analysed.
    /// - Parameter progress: called after every analysed frame with the frames analysed, the video time
    ///   reached and the duration (ms); an error it throws stops the search (a job stopped or deleted).
    public func run(_ request: FaceSearchRequest, collection: FaceCollection,
                    progress: (Int, Int64, Int64?) throws -> Void = { _, _, _ in },
                    emit: ([PersonMatch]) throws -> Void) throws -> FaceSearchSummary {
        let reader = try VideoReader(path: request.path)
        reader.configure(sampling: request.sampling, start: request.start, end: request.end)
        var tracker = FaceTracker()
        var sums: [Int: (sum: [Double], count: Int)] = [:]
        let log = try SightingLog()
        var frames = 0
        while case let batch = try reader.next(upTo: workers.workers.count), !batch.isEmpty {
            let analysed = try workers.map(batch) { worker, frame in
                try worker.analyzer.analyse(frame.image).map { ($0, try worker.describer.describe(frame.image, $0.detection)) }
            }
            for (frame, pairs) in zip(batch, analysed) {
                let described = pairs.map { ($0.0.detection, $0.1) }
                let indices = tracker.assign(timestamp: frame.timestamp, faces: described)
                // A frame's faces by Index, as they are reported.
                for i in indices.indices.sorted(by: { indices[$0] < indices[$1] }) {
                    let descriptor = described[i].1
                    try log.append(timestamp: frame.timestamp, index: indices[i], descriptor: descriptor, detail: pairs[i].0.detail)
                    var acc = sums[indices[i]] ?? ([Double](repeating: 0, count: descriptor.count), 0)
                    for (k, v) in descriptor.enumerated() { acc.sum[k] += Double(v) }
                    acc.count += 1
                    sums[indices[i]] = acc
                }
                frames += 1
                try progress(frames, frame.timestamp, reader.metadata.durationMillis)
            }
        }
        // Identity per person: the collection faces near the mean of the person's descriptors.
        var identities: [Int: [FaceCollection.Entry]] = [:]
        for (index, acc) in sums {
            let mean = acc.sum.map { Float($0 / Double(acc.count)) }
            identities[index] = collection.nearest(to: mean, threshold: request.faceMatchThreshold)
        }
        let veto = Float(Similarity.distance(forPercent: Double(Self.frameVetoSimilarity)))
        var pending: [PersonMatch] = []
        var produced = 0
        try log.forEach { s in
            if let last = pending.last, last.timestamp != s.timestamp {
                produced += pending.count
                try emit(pending)
                pending.removeAll(keepingCapacity: true)
            }
            // Each face of the person's identity with this frame's own Similarity; none when the frame's
            // face is clearly not the matched one (a wrong link).
            let matches = (identities[s.index] ?? []).compactMap { e -> FaceMatch? in
                let d = FaceDescriptor.distance(s.descriptor, e.descriptor)
                return d < veto ? FaceMatch(similarity: Similarity.percent(distance: d), face: e.face) : nil
            }.sorted { $0.similarity > $1.similarity }
            pending.append(PersonMatch(timestamp: s.timestamp,
                                       person: PersonDetail(index: Int64(s.index), boundingBox: s.detail.boundingBox, face: s.detail),
                                       faceMatches: matches))
        }
        produced += pending.count
        if !pending.isEmpty { try emit(pending) }
        var warnings: [String] = []
        if reader.skippedPackets > 0 {
            warnings.append("\(request.path): skipped \(reader.skippedPackets) packet(s) or frame(s) that could not be decoded")
        }
        return FaceSearchSummary(metadata: reader.metadata, framesAnalysed: frames, personsTracked: tracker.personCount,
                                 personMatches: produced, warnings: warnings)
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
