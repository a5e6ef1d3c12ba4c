import Foundation

/// The face mesh and irises of a face (absent for a face seen in profile, where the mesh does not apply).
public struct MeshedFace: Sendable {
    public var mesh: FaceMesh.Result
    public var leftEye: IrisModel.Eye
    public var rightEye: IrisModel.Eye
}

/// One face analysed: the detection, its mesh and irises when it has them, and the API's FaceDetail.
public struct AnalysedFace: Sendable {
    public var detection: Detection
    public var meshed: MeshedFace?
    public var detail: FaceDetail
}

/// Frame in, faces out: detection, face mesh and iris, then the DEFAULT attributes (BoundingBox,
/// Confidence, Landmarks, Pose, Quality) and, when asked, the ALL ones (EyesOpen, MouthOpen,
/// EyeDirection from the mesh, Emotions from fer's classifier, for faces with a mesh).
///
/// - A detection in which the mesh finds a face (presence ≥ 0.5) gets every attribute, and
///   Confidence = 100 · √(detector probability · mesh face-presence probability): a face both models are
///   sure of scores near 100, and either model's doubt lowers it.
/// - A detection the mesh rejects is dropped, unless the detector is sure of it (probability ≥ 0.7):
///   MediaPipe's mesh does not handle faces seen in profile (its presence score is near 0 there), while
///   the detectors find them. Such a face is reported with BoundingBox, Confidence (the detector's),
///   Quality, and Landmarks and Pose from the detector's six keypoints (`KeypointPose`: eyeLeft, eyeRight
///   and nose; a pose fitted to a 3-D face model), but no mesh-based attributes.
///   Weak detections the mesh rejects (printed crests, patterns) are false positives and are dropped.
public final class FaceAnalyzer {
    public let detector: FaceDetector
    private let mesh: FaceMesh
    private let iris: IrisModel
    private let store: ModelStore
    /// Loaded on the first analysis with ALL attributes.
    private var emotion: EmotionModel?
    public static let minPresence: Float = 0.5
    /// Detector probability above which a face the mesh cannot read is still reported.
    public static let unmeshedMinScore: Float = 0.7

    public init(store: ModelStore = ModelStore(), threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws {
        detector = try FaceDetector(store: store, threads: threads)
        mesh = try FaceMesh(store: store)
        iris = try IrisModel(store: store)
        self.store = store
    }

    public func analyse(_ image: RGBImage, attributes: FaceAttributes = .default) throws -> [AnalysedFace] {
        if attributes == .all, emotion == nil { emotion = try EmotionModel(store: store) }
        var out: [AnalysedFace] = []
        for d in try detector.detect(image) {
            let box = BoundingBox(xmin: d.xmin, ymin: d.ymin, xmax: d.xmax, ymax: d.ymax, frameWidth: image.width, frameHeight: image.height)
            var meshed: MeshedFace?
            let first = try mesh.run(image, roi: FaceMesh.roi(for: d))
            if first.presence >= Self.minPresence {
                // A second pass on the crop the first mesh defines (MediaPipe's tracking crop) corrects
                // the detector's rough one.
                let m = try mesh.run(image, roi: FaceMesh.roi(for: first.points))
                if m.presence >= Self.minPresence {
                    let eyes = try iris.run(image, mesh: m.points)
                    meshed = MeshedFace(mesh: m, leftEye: eyes.left, rightEye: eyes.right)
                }
            }
            let confidence: Float
            if let meshed {
                confidence = min(100, 100 * (d.score * meshed.mesh.presence).squareRoot())
            } else if d.score >= Self.unmeshedMinScore {
                confidence = min(100, 100 * d.score)
            } else {
                continue
            }
            var face = AnalysedFace(detection: d, meshed: meshed, detail: FaceDetail(boundingBox: box, confidence: confidence))
            describe(&face, image, attributes)
            if attributes == .all, face.meshed != nil, let emotion {
                face.detail.emotions = try emotion.emotions(image, box: PixelRect(x: d.xmin, y: d.ymin, width: d.width, height: d.height))
            }
            out.append(face)
        }
        return out
    }

    private func describe(_ face: inout AnalysedFace, _ image: RGBImage, _ attributes: FaceAttributes) {
        let d = face.detection
        let q = FaceQuality.measure(image, box: PixelRect(x: d.xmin, y: d.ymin, width: d.width, height: d.height))
        face.detail.quality = ImageQuality(brightness: Float(q.brightness), sharpness: Float(q.sharpness))
        let w = Double(image.width), h = Double(image.height)
        guard let meshed = face.meshed else {
            // No mesh (a profile, a face cut by the edge): what the detector's keypoints give.
            face.detail.landmarks = KeypointPose.landmarks(d.keypoints).map { Landmark(type: $0.type, x: Float($0.x / w), y: Float($0.y / h)) }
            face.detail.pose = KeypointPose.estimate(d.keypoints).map { Pose(roll: Float($0.roll), yaw: Float($0.yaw), pitch: Float($0.pitch)) }
            return
        }
        let marks = LandmarkMapping.landmarks(mesh: meshed.mesh.points, leftPupil: meshed.leftEye.pupil, rightPupil: meshed.rightEye.pupil)
        face.detail.landmarks = marks.map { Landmark(type: $0.type, x: Float($0.x / w), y: Float($0.y / h)) }
        let pose = HeadPose.estimate(meshed.mesh.points)
        face.detail.pose = Pose(roll: Float(pose.roll), yaw: Float(pose.yaw), pitch: Float(pose.pitch))
        if attributes == .all {
            FaceGeometry.addAllAttributes(&face.detail, meshed, pose: pose)
        }
    }
}
