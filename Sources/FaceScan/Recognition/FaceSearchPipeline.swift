import Foundation

/// Parameters of a face search in a video.
public struct FaceSearchRequest: Sendable {
    public var path: String
    public var collection: URL
    public var sampling: FrameSampling = .default
    public var start: Int64?
    public var end: Int64?
    /// FaceMatchThreshold: matches below this Similarity are not reported (the API's default 80).
    public var faceMatchThreshold: Float = 80

    public init(path: String, collection: URL) {
        self.path = path
        self.collection = collection
    }
}

public struct FaceSearchResult: Sendable {
    public var metadata: VideoMetadata
    /// Sorted by Timestamp, then Index.
    public var persons: [PersonMatch]
    public var framesAnalysed: Int
    public var personsTracked: Int
    /// Problems with the video (e.g. packets that could not be decoded); the collection's own are in
    /// `FaceCollection.warnings`.
    public var warnings: [String]
}

/// "When does each person I know appear in this video?": detect and describe every face of the sampled
/// frames, link them into persons (`FaceTracker`), decide each person's identity from their best frames,
/// and report the persons that match the collection at each time they appear.
///
/// A person's similarity to a collection face is that of the mean of the person's descriptors (over
/// all the frames they appear in): averaging cancels much of the noise of single frames (pose, blur,
/// lighting), so one lucky frame does not make a match and a face seen in profile through several
/// frames can still be recognised. On the profile close-up of short_hamilton_clip.mp4 single frames lie
/// 0.56–0.67 from the person's photo, their mean 0.575. Every time the person appears, their
/// PersonMatch carries the collection faces they match with that Similarity.
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

    /// Searches the video for the collection's faces.
    /// - Parameter progress: called after every analysed frame with the frames analysed, the video time
    ///   reached and the duration (ms); an error it throws stops the search (a job stopped or deleted).
    public func run(_ request: FaceSearchRequest, collection: FaceCollection,
                    progress: (Int, Int64, Int64?) throws -> Void = { _, _, _ in }) throws -> FaceSearchResult {
        let reader = try VideoReader(path: request.path)
        reader.configure(sampling: request.sampling, start: request.start, end: request.end)
        var tracker = FaceTracker()
        struct Seen { var timestamp: Int64; var index: Int; var detail: FaceDetail; var descriptor: [Float] }
        var sums: [Int: (sum: [Double], count: Int)] = [:]
        var seen: [Seen] = []
        var frames = 0
        while case let batch = try reader.next(upTo: workers.workers.count), !batch.isEmpty {
            let analysed = try workers.map(batch) { worker, frame in
                try worker.analyzer.analyse(frame.image).map { ($0, try worker.describer.describe(frame.image, $0.detection)) }
            }
            for (frame, pairs) in zip(batch, analysed) {
                let faces = pairs.map(\.0)
                let described = pairs.map { ($0.0.detection, $0.1) }
                let indices = tracker.assign(timestamp: frame.timestamp, faces: described)
                for (i, face) in faces.enumerated() {
                    seen.append(Seen(timestamp: frame.timestamp, index: indices[i], detail: face.detail, descriptor: described[i].1))
                    var acc = sums[indices[i]] ?? ([Double](repeating: 0, count: described[i].1.count), 0)
                    for (k, v) in described[i].1.enumerated() { acc.sum[k] += Double(v) }
                    acc.count += 1
                    sums[indices[i]] = acc
                }
                frames += 1
                try progress(frames, frame.timestamp, reader.metadata.durationMillis)
            }
        }
        // Identity per person: the collection faces near the mean of the person's descriptors.
        var matchesByPerson: [Int: [FaceMatch]] = [:]
        for (index, acc) in sums {
            let mean = acc.sum.map { Float($0 / Double(acc.count)) }
            matchesByPerson[index] = collection.matches(for: mean, threshold: request.faceMatchThreshold)
        }
        let veto = Float(Similarity.distance(forPercent: Double(Self.frameVetoSimilarity)))
        let faceDescriptors = Dictionary(collection.entries.map { ($0.faceId, $0.descriptor) }, uniquingKeysWith: { a, _ in a })
        let persons = seen.compactMap { s -> PersonMatch? in
            // A frame whose own face is clearly not the matched one (a wrong link) is not reported.
            guard let matches = matchesByPerson[s.index]?.filter({ m in
                faceDescriptors[m.face.faceId].map { FaceDescriptor.distance(s.descriptor, $0) < veto } ?? false
            }), !matches.isEmpty else { return nil }
            return PersonMatch(timestamp: s.timestamp,
                               person: PersonDetail(index: Int64(s.index), boundingBox: s.detail.boundingBox, face: s.detail),
                               faceMatches: matches)
        }.sorted { ($0.timestamp, $0.person.index) < ($1.timestamp, $1.person.index) }
        var warnings: [String] = []
        if reader.skippedPackets > 0 {
            warnings.append("\(request.path): skipped \(reader.skippedPackets) packet(s) or frame(s) that could not be decoded")
        }
        return FaceSearchResult(metadata: reader.metadata, persons: persons, framesAnalysed: frames,
                                personsTracked: tracker.personCount, warnings: warnings)
    }
}
