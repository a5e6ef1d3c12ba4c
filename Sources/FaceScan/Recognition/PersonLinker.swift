import Foundation

/// The part of a video search that runs in video order, after the runs are described: links each run's
/// faces into persons (`FaceTracker`), keeps every sighting (`SightingLog`, a temporary file), then
/// decides each person's identity from the mean of their descriptors and hands out the PersonMatches.
/// It is cheap next to the analysis, so a video analysed in segments on several workers is linked in one
/// place, over all of them, and gets the persons of a single run (`FaceSearchPipeline`).
public final class PersonLinker {
    private var tracker = FaceTracker()
    private var sums: [Int: (sum: [Double], count: Int)] = [:]
    private let log: SightingLog
    /// Frames linked so far.
    public private(set) var frames = 0

    public init() throws { log = try SightingLog() }

    public var personCount: Int { tracker.personCount }

    /// Links one run (runs in video order); `frameDone` is called after each of its frames with its
    /// Timestamp.
    public func add(_ run: DescribedRun, frameDone: (Int64) throws -> Void = { _ in }) throws {
        // A track keeps the person Index its first frame got, while its descriptors (one a second)
        // agree with its first one: a track that drifted onto someone else is linked afresh.
        var indexOfTrack: [Int: (index: Int, descriptor: [Float])] = [:]
        var counted = Set<Int>()
        for frame in run.frames {
            let faces = frame.faces
            let fixed = faces.map { f in
                indexOfTrack[f.track].flatMap { FaceDescriptor.distance($0.descriptor, f.descriptor) < tracker.linkDistance ? $0.index : nil }
            }
            let indices = tracker.assign(timestamp: frame.timestamp, faces: faces.map { (DescribedRun.detection($0), $0.descriptor) }, fixed: fixed)
            // A frame's faces by Index, as they are reported.
            for i in indices.indices.sorted(by: { indices[$0] < indices[$1] }) {
                let descriptor = faces[i].descriptor
                try log.append(timestamp: frame.timestamp, index: indices[i], descriptor: descriptor, detail: faces[i].detail)
                if fixed[i] == nil { indexOfTrack[faces[i].track] = (indices[i], descriptor) }
                // Each descriptor once in the person's mean (a track's second shares one).
                guard counted.insert(faces[i].sample).inserted else { continue }
                var acc = sums[indices[i]] ?? ([Double](repeating: 0, count: descriptor.count), 0)
                for (k, v) in descriptor.enumerated() { acc.sum[k] += Double(v) }
                acc.count += 1
                sums[indices[i]] = acc
            }
            frames += 1
            try frameDone(frame.timestamp)
        }
    }

    /// Decides identities (the collection faces near the mean of each person's descriptors, at
    /// `threshold`) and hands the PersonMatches to `emit` in Timestamp, then Index, order, a frame's at
    /// a time.
    /// - Returns: the number of PersonMatches emitted.
    @discardableResult
    public func finish(collection: FaceCollection, threshold: Float, emit: ([PersonMatch]) throws -> Void) throws -> Int {
        var identities: [Int: [FaceCollection.Entry]] = [:]
        for (index, acc) in sums {
            let mean = acc.sum.map { Float($0 / Double(acc.count)) }
            identities[index] = collection.nearest(to: mean, threshold: threshold)
        }
        let veto = FaceSearchPipeline.frameVetoDistance
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
        return produced
    }
}
