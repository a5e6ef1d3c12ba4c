import Foundation

/// How often video analysis runs the full, tiled detector. Between full detections faces are followed
/// by their mesh (`FaceAnalyzer.follow`), and the detector's two whole-frame passes look for faces
/// coming into view; a cut between shots (`ShotSignature`) brings the full detector back at once.
public struct TrackingSchedule: Sendable, Equatable {
    /// Milliseconds of video between full detections; 0 runs the full detector on every sampled frame
    /// (no tracking).
    public var detectionInterval: Int64
    /// At most this many sampled frames between full detections, whatever the interval.
    public static let maxRunFrames = 10
    /// And at most this many bytes of RGB frames (a run is held in memory while it is analysed; a few
    /// runs are in flight at once): 10 frames of 1080p, 2 of 4K.
    public static let maxRunBytes = 64_000_000

    public init(detectionInterval: Int64 = 2000) { self.detectionInterval = max(0, detectionInterval) }

    /// Every 2 s (README, "Tracking faces through a video": on the shared videos, faces per frame are
    /// those of detecting in every frame, at 0.5, 1 and 2 s alike, while the cost falls).
    public static let `default` = TrackingSchedule()
    public static let everyFrame = TrackingSchedule(detectionInterval: 0)
}

/// A face in a run of frames, with the track that links it to the same face in the run's other frames
/// (numbered from 0 within the run).
public struct TrackedFace: Sendable {
    public var face: AnalysedFace
    public var track: Int
}

extension FaceAnalyzer {
    /// Analyses a run of consecutive sampled frames: the full detector on the first frame and on any
    /// frame that starts a new shot; on the others, each face of the previous frame followed by its mesh
    /// or, when the mesh lost it or cannot follow it (a face in profile, which only the detector reads),
    /// found again by the detectors in a square around its last box; plus the faces the whole-frame
    /// passes find where no face is followed. In a crowd (a full detection with at least
    /// `crowdSceneFaces` faces only MTCNN found), MTCNN joins the whole-frame passes, for the small
    /// faces that come into view or that the full detection missed.
    /// Returns each frame's faces, largest first.
    public func analyse(run frames: [SampledFrame], attributes: FaceAttributes = .default) throws -> [[TrackedFace]] {
        var out: [[TrackedFace]] = []
        var previous: [TrackedFace] = []
        var previousShot: ShotSignature?
        var crowd = false
        var nextTrack = 0
        func newTrack() -> Int { defer { nextTrack += 1 }; return nextTrack }
        for frame in frames {
            let shot = ShotSignature(frame.image)
            var current: [TrackedFace]
            if let previousShot, !shot.isCut(from: previousShot),
               let followed = try follow(previous, into: frame.image, attributes: attributes, crowd: crowd, nextTrack: &nextTrack) {
                current = followed
            } else {
                let floor = FaceDetector.videoMinFaceSize(width: frame.image.width, height: frame.image.height)
                current = try analyse(frame.image, attributes: attributes, minFaceSize: floor).map { TrackedFace(face: $0, track: newTrack()) }
                crowd = current.filter { $0.face.detection.crowdOnly }.count >= Self.crowdSceneFaces
            }
            current = Array(current.sorted { $0.face.detection.area > $1.face.detection.area }.prefix(detector.options.maxFaces))
            out.append(current)
            previous = current
            previousShot = shot
        }
        return out
    }

    /// The faces of `previous` followed into `image` (see `analyse(run:)`), with the faces that came into
    /// view; nil when a followed face was replaced by another (a cut the shot signature missed), for the
    /// full detector to start again.
    private func follow(_ previous: [TrackedFace], into image: RGBImage, attributes: FaceAttributes, crowd: Bool,
                        nextTrack: inout Int) throws -> [TrackedFace]? {
        var current: [TrackedFace] = []
        var lost: [(index: Int, face: TrackedFace)] = []
        var replaced = false
        // What the detectors find does not depend on the followed faces, so they run on a thread of their
        // own while the meshes follow the faces (the detectors' models are not the mesh's): the
        // whole-frame passes, the searches around the faces the mesh cannot follow (no mesh: in profile,
        // too small) and, in a crowd, MTCNN on the whole frame. A run analysed alone (the last of a video)
        // keeps the second core busy. Results are those of doing one after the other.
        var whole: [Detection] = [], crowdWhole: [Detection] = []
        var around: [Int: (blaze: [Detection], crowd: [Detection]?)] = [:]
        let failure = FailureBox()
        onThreads(previous.isEmpty ? 1 : 2) { thread in
            do {
                if thread == 0 {
                    whole = try detector.detectWholeFrame(image)
                    for (i, p) in previous.enumerated() where p.face.meshed == nil {
                        let blaze = try detector.detect(image, around: p.face.detection.rect)
                        // MTCNN's turn when BlazeFace found nothing near at all (else it depends on what
                        // the meshes found: done below when needed).
                        let none = !blaze.contains { $0.iou(p.face.detection) > 0.1 }
                        around[i] = (blaze, none ? try detector.detectCrowd(image, around: p.face.detection.rect) : nil)
                    }
                    if crowd { crowdWhole = try detector.detectCrowd(image, minFaceSize: FaceDetector.videoMinFaceSize(width: image.width, height: image.height)) }
                    return
                }
                for (i, p) in previous.enumerated() {
                    switch try follow(p.face, into: image, attributes: attributes) {
                    case .found(let f): current.append(TrackedFace(face: f, track: p.track))
                    case .lost: lost.append((i, p))
                    case .replaced: replaced = true; return
                    }
                }
            } catch { failure.set(error) }
        }
        if let error = failure.error { throw error }
        if replaced { return nil }
        current = Self.withoutDuplicates(current)
        // A face the mesh lost or cannot follow (in profile, or too small) is looked for again around its
        // last box: by BlazeFace and, where it finds none, by MTCNN (the small faces of crowds).
        for (i, p) in lost where !current.contains(where: { $0.face.detection.overlaps(p.face.detection) }) {
            let d = p.face.detection
            func nearest(_ found: [Detection]) -> Detection? {
                found.filter { n in n.iou(d) > 0.1 && !current.contains { $0.face.detection.overlaps(n) } }.max { $0.iou(d) < $1.iou(d) }
            }
            var near = nearest(try around[i]?.blaze ?? detector.detect(image, around: d.rect))
            if near == nil { near = nearest(try around[i]?.crowd ?? detector.detectCrowd(image, around: d.rect)) }
            // Found again where it was, the face needs only the detector's own threshold: a person
            // turning into profile stays, rather than flickering as the score crosses 0.7 (or 0.9).
            if let near, let f = try analyse(image, detections: [near], attributes: attributes, unmeshedMinScore: detector.options.minScore,
                                             unmeshedCrowdMinScore: detector.options.crowdMinScore).first {
                // The same face only if it looks like it (another face where it was: a cut).
                let same = p.face.boxAppearance.flatMap { a in f.boxAppearance.map { a.correlation($0) >= FaceAppearance.minCorrelation } } ?? false
                if same {
                    current.append(TrackedFace(face: f, track: p.track))
                } else {
                    current.append(TrackedFace(face: f, track: nextTrack))
                    nextTrack += 1
                }
            }
        }
        // Faces coming into view, where none is followed.
        var fresh = whole.filter { d in !current.contains { $0.face.detection.overlaps(d) } }
        if crowd {
            fresh += crowdWhole.filter { d in
                !current.contains { $0.face.detection.overlaps(d) } && !fresh.contains { FaceDetector.sameFace($0, d) }
            }
        }
        for f in try analyse(image, detections: fresh, attributes: attributes) {
            current.append(TrackedFace(face: f, track: nextTrack))
            nextTrack += 1
        }
        return current
    }

    /// Faces only MTCNN found, in one full detection, that make a crowd (`analyse(run:)`).
    public static let crowdSceneFaces = 3

    /// Two followed faces that converged onto one face (two tracks on one person): the surer one stays.
    static func withoutDuplicates(_ faces: [TrackedFace]) -> [TrackedFace] {
        var kept: [TrackedFace] = []
        for f in faces.sorted(by: { $0.face.detail.confidence > $1.face.detail.confidence })
        where !kept.contains(where: { $0.face.detection.overlaps(f.face.detection) }) {
            kept.append(f)
        }
        return kept
    }
}
