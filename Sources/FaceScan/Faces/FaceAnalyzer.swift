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
    /// Where the detector's box lies on the mesh, to place the box in frames the mesh alone follows.
    var boxOnMesh: BoxOnMesh?
    /// The mesh crop's grey patch, to tell the same face from another in the next frame.
    var appearance: FaceAppearance?
    /// The same for the detector's crop (faces without a mesh have only this one).
    var boxAppearance: FaceAppearance?
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
///   MTCNN's probability (`Detection.crowdScore`) counts as sure from 0.9 (`unmeshedCrowdMinScore`):
///   a face only MTCNN found needs the mesh or that probability; without a mesh its Landmarks and
///   Pose come from MTCNN's five landmarks (eyes, nose tip, mouth corners). Such a face 40 px tall or
///   more needs 0.95 (`largeUnmeshedCrowdMinScore`): the mesh reads most faces that large, and on the
///   WIDER FACE crowd photos half of the large ones it could not read at 0.9–0.95 were not faces
///   (hands, hair, foliage).
public final class FaceAnalyzer {
    public let detector: FaceDetector
    private let mesh: FaceMesh
    private let iris: IrisModel
    private let store: ModelStore
    /// Loaded on the first analysis with ALL attributes.
    private var emotion: EmotionModel?
    public static let minPresence: Float = 0.5
    /// The model files an analyser loads at once (the emotion model is loaded on first use).
    static let models: [ModelFile] = [.faceDetectionFullRange, .faceDetectionShortRange, .faceLandmark, .irisLandmark,
                                       .mtcnnProposal, .mtcnnRefine, .mtcnnOutput]
    /// Detector probability above which a face the mesh cannot read is still reported.
    public static let unmeshedMinScore: Float = 0.7
    /// The same for MTCNN's probability (`Detection.crowdScore`), which crowds its values near 1.
    public static let unmeshedCrowdMinScore: Float = 0.9
    /// The same for a face only MTCNN found that is at least `largeFaceHeight` pixels tall.
    public static let largeUnmeshedCrowdMinScore: Float = 0.95
    public static let largeFaceHeight: Double = 40

    public init(store: ModelStore = ModelStore(), threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws {
        detector = try FaceDetector(store: store, threads: threads)
        mesh = try FaceMesh(store: store)
        iris = try IrisModel(store: store)
        self.store = store
    }

    /// The faces in `image`; `minFaceSize` as `FaceDetector.detect(_:minFaceSize:)`.
    public func analyse(_ image: RGBImage, attributes: FaceAttributes = .default, minFaceSize: Double = 0) throws -> [AnalysedFace] {
        try analyse(image, detections: try detector.detect(image, minFaceSize: minFaceSize), attributes: attributes)
    }

    /// The faces of `detections` (found in `image`) that pass the mesh check above, analysed; a detection
    /// the mesh rejects needs `unmeshedMinScore`, or MTCNN's `unmeshedCrowdMinScore` (video tracking
    /// lowers both to the detectors' own thresholds for a face it follows).
    func analyse(_ image: RGBImage, detections: [Detection], attributes: FaceAttributes,
                 unmeshedMinScore: Float = FaceAnalyzer.unmeshedMinScore, unmeshedCrowdMinScore: Float? = nil) throws -> [AnalysedFace] {
        var out: [AnalysedFace] = []
        for d in detections {
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
            let crowdBar = unmeshedCrowdMinScore
                ?? (d.crowdOnly && d.height >= Self.largeFaceHeight ? Self.largeUnmeshedCrowdMinScore : Self.unmeshedCrowdMinScore)
            let sure = (d.crowdScore ?? 0) >= crowdBar || (!d.crowdOnly && d.score >= unmeshedMinScore)
            if meshed == nil && !sure { continue }
            out.append(try finish(d, meshed, image, attributes))
        }
        return out
    }

    /// What became of a face followed into the next frame.
    enum Followed {
        case found(AnalysedFace)
        /// The mesh no longer finds a face there (it left or turned away), or the face has no mesh.
        case lost
        /// The mesh finds a face there, but it looks unlike the one followed: another face after a cut.
        case replaced
    }

    /// `face` (analysed in the previous sampled frame) followed into `image` by its mesh alone, as
    /// MediaPipe tracks faces in video: the mesh runs once on the crop the previous mesh defines. The
    /// box keeps its place on the face as the detector drew it (`BoxOnMesh`); Confidence uses the
    /// detector's probability from the frame it found the face in.
    func follow(_ face: AnalysedFace, into image: RGBImage, attributes: FaceAttributes) throws -> Followed {
        guard let previous = face.meshed, let fit = face.boxOnMesh, let look = face.appearance else { return .lost }
        let m = try mesh.run(image, roi: FaceMesh.roi(for: previous.mesh.points))
        guard m.presence >= Self.minPresence else { return .lost }
        let d = fit.detection(on: m.points, score: face.detection.score)
        guard d.width > 1, d.height > 1 else { return .lost }
        let appearance = FaceAppearance(image, points: m.points)
        guard appearance.correlation(look) >= FaceAppearance.minCorrelation else { return .replaced }
        let eyes = try iris.run(image, mesh: m.points)
        var found = try finish(d, MeshedFace(mesh: m, leftEye: eyes.left, rightEye: eyes.right), image, attributes, fit: fit)
        found.appearance = appearance
        return .found(found)
    }

    /// Confidence and the attributes of a detection the mesh accepted (or the detector is sure of).
    private func finish(_ d: Detection, _ meshed: MeshedFace?, _ image: RGBImage, _ attributes: FaceAttributes,
                        fit: BoxOnMesh? = nil) throws -> AnalysedFace {
        let box = BoundingBox(xmin: d.xmin, ymin: d.ymin, xmax: d.xmax, ymax: d.ymax, frameWidth: image.width, frameHeight: image.height)
        // Without a mesh: the probability that made the face sure (BlazeFace's, else MTCNN's).
        let unmeshed = d.score >= Self.unmeshedMinScore ? d.score : max(d.score, d.crowdScore ?? 0)
        let confidence = meshed.map { min(100, 100 * (d.score * $0.mesh.presence).squareRoot()) } ?? min(100, 100 * unmeshed)
        var face = AnalysedFace(detection: d, meshed: meshed, detail: FaceDetail(boundingBox: box, confidence: confidence))
        face.boxOnMesh = fit ?? meshed.map { BoxOnMesh(d, on: $0.mesh.points) }
        if fit == nil { face.appearance = meshed.map { FaceAppearance(image, points: $0.mesh.points) } }
        face.boxAppearance = FaceAppearance(image, detection: d)
        describe(&face, image, attributes)
        if attributes == .all, face.meshed != nil {
            let model = try emotion ?? EmotionModel(store: store)
            emotion = model
            face.detail.emotions = try model.emotions(image, box: d.rect)
        }
        return face
    }

    private func describe(_ face: inout AnalysedFace, _ image: RGBImage, _ attributes: FaceAttributes) {
        let d = face.detection
        let q = FaceQuality.measure(image, box: d.rect)
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
