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
    public var warnings: [String]
}

/// "When does each person I know appear in this video?": detect and describe every face of the sampled
/// frames, link them into persons (`FaceTracker`), decide each person's identity from their best frames,
/// and report the persons that match the collection at each time they appear.
///
/// A person's similarity to a collection face is taken from the distances of all their frames: the
/// median of their three smallest distances (the best-seen frames: frontal, sharp), so one lucky frame
/// does not make a match and a profile seen in many frames can still be recognised. Every time the
/// person appears, their PersonMatch carries the collection faces they match with that Similarity.
public final class FaceSearchPipeline {
    public let analyzer: FaceAnalyzer
    public let describer: FaceDescribing

    public init(analyzer: FaceAnalyzer, describer: FaceDescribing) {
        self.analyzer = analyzer
        self.describer = describer
    }

    public func run(_ request: FaceSearchRequest, collection: FaceCollection,
                    progress: (Int, Int64, Int64?) -> Void = { _, _, _ in }) throws -> FaceSearchResult {
        let reader = try VideoReader(path: request.path)
        reader.configure(sampling: request.sampling, start: request.start, end: request.end)
        var tracker = FaceTracker()
        struct Seen { var timestamp: Int64; var index: Int; var detail: FaceDetail; var distances: [Float] }
        var seen: [Seen] = []
        var frames = 0
        while let frame = try reader.next() {
            let faces = try analyzer.analyse(frame.image)
            let described = try faces.map { ($0.detection, try describer.describe(frame.image, $0.detection)) }
            let indices = tracker.assign(timestamp: frame.timestamp, faces: described)
            for (i, face) in faces.enumerated() {
                seen.append(Seen(timestamp: frame.timestamp, index: indices[i], detail: face.detail,
                                 distances: collection.entries.map { FaceDescriptor.distance(described[i].1, $0.descriptor) }))
            }
            frames += 1
            progress(frames, frame.timestamp, reader.metadata.durationMillis)
        }
        // Identity per person: for each collection face, the median of the person's 3 smallest distances.
        var matchesByPerson: [Int: [FaceMatch]] = [:]
        for index in Set(seen.map(\.index)) {
            let mine = seen.filter { $0.index == index }
            var matches: [FaceMatch] = []
            for (e, entry) in collection.entries.enumerated() {
                let best = mine.map { $0.distances[e] }.sorted().prefix(3)
                let distance = best.sorted()[best.count / 2]
                let similarity = Similarity.percent(distance: distance)
                if similarity >= request.faceMatchThreshold { matches.append(FaceMatch(similarity: similarity, face: entry.face)) }
            }
            matchesByPerson[index] = matches.sorted { $0.similarity > $1.similarity }
        }
        let persons = seen.compactMap { s -> PersonMatch? in
            guard let matches = matchesByPerson[s.index], !matches.isEmpty else { return nil }
            return PersonMatch(timestamp: s.timestamp,
                               person: PersonDetail(index: Int64(s.index), boundingBox: s.detail.boundingBox, face: s.detail),
                               faceMatches: matches)
        }.sorted { ($0.timestamp, $0.person.index) < ($1.timestamp, $1.person.index) }
        var warnings = collection.warnings
        if reader.skippedPackets > 0 {
            warnings.append("\(request.path): skipped \(reader.skippedPackets) packet(s) or frame(s) that could not be decoded")
        }
        return FaceSearchResult(metadata: reader.metadata, persons: persons, framesAnalysed: frames,
                                personsTracked: tracker.personCount, warnings: warnings)
    }
}
