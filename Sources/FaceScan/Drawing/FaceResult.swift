/// One face of a facescan result (GetFaceDetection or GetFaceSearch), as the pictures draw it.
public struct DrawnFace: Sendable {
    public var timestamp: Int64
    public var box: BoundingBox
    /// Landmarks as ratios of the frame.
    public var landmarks: [SIMD2<Float>]
    /// The person's Index (search) or the track the faces were linked into (detection).
    public var track: Int
    /// The matched ExternalImageId (or FaceId when it has none), nil when unmatched or for a detection.
    public var name: String?
    public var faceId: String?
    public var similarity: Float?
    public var confidence: Float
    /// How good a crop of this face is: size × sharpness × frontality (for the contact sheet).
    public var goodness: Float
}

/// A facescan result read for drawing: its faces in time order, linked into tracks.
public struct FaceResult: Sendable {
    public enum Kind: Sendable { case detection, search }
    public var kind: Kind
    public var faces: [DrawnFace]
    public var videoMetadata: JSON?
    /// The usual time between sampled frames (the median gap between the timestamps with faces), ms.
    public var sampleInterval: Int64

    /// Track ids, ordered by first appearance.
    public var tracks: [Int] {
        var seen = Set<Int>(), out: [Int] = []
        for f in faces where seen.insert(f.track).inserted { out.append(f.track) }
        return out
    }

    /// Reads a GetFaceDetection or GetFaceSearch document (or several pages of one, concatenated).
    /// - Throws: InvalidParameterException for a document that is neither.
    public init(documents: [JSON]) throws {
        guard let first = documents.first else { throw APIError.invalidParameter("no result to draw") }
        let isSearch = first["Persons"] != nil
        guard isSearch || first["Faces"] != nil else {
            throw APIError.invalidParameter("the result is neither a GetFaceDetection (Faces) nor a GetFaceSearch (Persons) response")
        }
        kind = isSearch ? .search : .detection
        videoMetadata = first["VideoMetadata"]
        var faces: [DrawnFace] = []
        for doc in documents {
            guard case .array(let items)? = doc[isSearch ? "Persons" : "Faces"] else {
                throw APIError.invalidParameter("a page of the result has no \(isSearch ? "Persons" : "Faces") list")
            }
            for item in items {
                let detail = isSearch ? item["Person"]?["Face"] : item["Face"]
                guard let t = Self.number(item["Timestamp"]), let detail, let box = Self.box(detail["BoundingBox"]) else {
                    throw APIError.invalidParameter("a result item lacks its Timestamp, Face or BoundingBox")
                }
                var f = DrawnFace(timestamp: Int64(t), box: box, landmarks: [], track: -1, name: nil, faceId: nil, similarity: nil,
                                  confidence: Float(Self.number(detail["Confidence"]) ?? 0), goodness: 0)
                if case .array(let marks)? = detail["Landmarks"] {
                    f.landmarks = marks.compactMap { m in Self.number(m["X"]).flatMap { x in Self.number(m["Y"]).map { SIMD2(Float(x), Float($0)) } } }
                }
                let sharpness = Float(Self.number(detail["Quality"]?["Sharpness"]) ?? 50)
                let yaw = Float(abs(Self.number(detail["Pose"]?["Yaw"]) ?? 0))
                f.goodness = box.height * box.width * (10 + sharpness) * max(0.1, 1 - yaw / 90)
                if isSearch {
                    f.track = Int(Self.number(item["Person"]?["Index"]) ?? -1)
                    if case .array(let matches)? = item["FaceMatches"], let m = matches.first {
                        f.faceId = m["Face"]?["FaceId"].flatMap(Self.string)
                        f.name = m["Face"]?["ExternalImageId"].flatMap(Self.string) ?? f.faceId
                        f.similarity = Self.number(m["Similarity"]).map(Float.init)
                    }
                }
                faces.append(f)
            }
        }
        faces.sort { ($0.timestamp, $0.track) < ($1.timestamp, $1.track) }
        let times = Array(Set(faces.map(\.timestamp))).sorted()
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }.sorted()
        sampleInterval = gaps.isEmpty ? 200 : max(1, gaps[gaps.count / 2])
        self.faces = faces
        if !isSearch { linkTracks() }
    }

    /// Links the faces of a detection result into tracks: each face continues the track whose last face
    /// (seen at most 3 sample intervals before) is most like it (`likeness`: it overlaps it, or it is a
    /// box of similar size whose centre is near), or starts a new one.
    mutating func linkTracks() {
        var last: [(track: Int, time: Int64, box: BoundingBox)] = []
        var next = 0
        var i = 0
        while i < faces.count {
            var j = i
            while j < faces.count && faces[j].timestamp == faces[i].timestamp { j += 1 }
            let t = faces[i].timestamp
            last.removeAll { t - $0.time > 3 * sampleInterval }
            var taken = Set<Int>()
            for k in i..<j {
                let best = last.enumerated().filter { !taken.contains($0.offset) }
                    .map { ($0.offset, Self.likeness($0.element.box, faces[k].box)) }.max { $0.1 < $1.1 }
                if let best, best.1 > 0 {
                    taken.insert(best.0)
                    faces[k].track = last[best.0].track
                    last[best.0] = (faces[k].track, t, faces[k].box)
                } else {
                    faces[k].track = next
                    next += 1
                    last.append((faces[k].track, t, faces[k].box))
                    taken.insert(last.count - 1)
                }
            }
            i = j
        }
    }

    /// How likely box `b` is box `a` a moment later: 1 + IoU when they overlap by IoU ≥ 0.3; else, for
    /// boxes at most twice each other's size, 1 − (distance between centres / 1.5 × the larger side) when that
    /// is positive (a face moving or zooming fast); else 0.
    static func likeness(_ a: BoundingBox, _ b: BoundingBox) -> Float {
        let overlap = a.iou(b)
        if overlap >= 0.3 { return 1 + overlap }
        let side = max(a.width, a.height, b.width, b.height), small = min(max(a.width, a.height), max(b.width, b.height))
        guard side > 0, small * 2 >= side else { return 0 }
        let dx = (a.left + a.width / 2) - (b.left + b.width / 2), dy = (a.top + a.height / 2) - (b.top + b.height / 2)
        return max(0, 1 - (dx * dx + dy * dy).squareRoot() / (1.5 * side))
    }

    static func number(_ j: JSON?) -> Double? { j?.number }

    static func string(_ j: JSON) -> String? { if case .string(let s) = j { return s }; return nil }

    static func box(_ j: JSON?) -> BoundingBox? {
        guard let j, let w = number(j["Width"]), let h = number(j["Height"]), let l = number(j["Left"]), let t = number(j["Top"]),
              [w, h, l, t].allSatisfy({ $0.isFinite && abs($0) < 100 }) else { return nil }
        return BoundingBox(width: Float(w), height: Float(h), left: Float(l), top: Float(t))
    }

    /// The faces shown at time `t` of the video: each track's face interpolated between its sampled
    /// faces around `t` (when they are at most 3 sample intervals apart), or held for half an interval
    /// before its first and after its last.
    public func faces(at t: Int64, index: inout FaceTimeline) -> [DrawnFace] {
        index.faces(at: t, result: self)
    }
}

/// Per-track faces in time order, to look up a video frame's faces as the video plays forward.
public struct FaceTimeline {
    var byTrack: [Int: [DrawnFace]] = [:]
    var cursor: [Int: Int] = [:]

    public init(_ result: FaceResult) {
        for f in result.faces { byTrack[f.track, default: []].append(f) }
    }

    mutating func faces(at t: Int64, result: FaceResult) -> [DrawnFace] {
        let gap = result.sampleInterval
        var out: [DrawnFace] = []
        for (track, list) in byTrack {
            var c = cursor[track] ?? 0
            while c + 1 < list.count && list[c + 1].timestamp <= t { c += 1 }
            cursor[track] = c
            let a = list[c]
            if a.timestamp > t {  // before the track's first face
                if a.timestamp - t <= gap / 2 { out.append(a) }
                continue
            }
            if a.timestamp == t { out.append(a); continue }
            if c + 1 < list.count, list[c + 1].timestamp - a.timestamp <= 3 * gap {
                out.append(Self.mix(a, list[c + 1], t))
            } else if t - a.timestamp <= gap / 2 {
                out.append(a)
            }
        }
        return out.sorted { $0.track < $1.track }
    }

    static func mix(_ a: DrawnFace, _ b: DrawnFace, _ t: Int64) -> DrawnFace {
        let w = Float(t - a.timestamp) / Float(max(1, b.timestamp - a.timestamp))
        func lerp(_ x: Float, _ y: Float) -> Float { x + (y - x) * w }
        var f = a
        f.timestamp = t
        f.box = BoundingBox(width: lerp(a.box.width, b.box.width), height: lerp(a.box.height, b.box.height),
                            left: lerp(a.box.left, b.box.left), top: lerp(a.box.top, b.box.top))
        f.landmarks = a.landmarks.count == b.landmarks.count ? zip(a.landmarks, b.landmarks).map { $0 + ($1 - $0) * w } : []
        return f
    }
}
