import Foundation

/// One face analysed: the detection, its mesh and irises, and the API's FaceDetail.
public struct AnalysedFace: Sendable {
    public var detection: Detection
    public var mesh: FaceMesh.Result
    public var leftEye: IrisModel.Eye
    public var rightEye: IrisModel.Eye
    public var detail: FaceDetail
}

/// Frame in, faces out: detection, face mesh and iris, then the DEFAULT attributes (BoundingBox,
/// Confidence, Landmarks, Pose, Quality) and, when asked, the ALL ones. Detections in which the mesh
/// finds no face (presence below 0.5) are dropped.
///
/// Confidence = 100 · √(detector probability · mesh face-presence probability): a face both models
/// are sure of scores near 100, and either model's doubt lowers it.
public final class FaceAnalyzer {
    public let detector: FaceDetector
    private let mesh: FaceMesh
    private let iris: IrisModel
    public static let minPresence: Float = 0.5

    public init(store: ModelStore = ModelStore(), threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws {
        detector = try FaceDetector(store: store, threads: threads)
        mesh = try FaceMesh(store: store)
        iris = try IrisModel(store: store)
    }

    public func analyse(_ image: RGBImage, attributes: FaceAttributes = .default) throws -> [AnalysedFace] {
        var out: [AnalysedFace] = []
        for d in try detector.detect(image) {
            let first = try mesh.run(image, roi: FaceMesh.roi(for: d))
            guard first.presence >= Self.minPresence else { continue }
            // A second pass on the crop the first mesh defines (MediaPipe's tracking crop) corrects the
            // detector's rough one.
            let m = try mesh.run(image, roi: FaceMesh.roi(for: first.points))
            guard m.presence >= Self.minPresence else { continue }
            let eyes = try iris.run(image, mesh: m.points)
            var face = AnalysedFace(detection: d, mesh: m, leftEye: eyes.left, rightEye: eyes.right,
                                    detail: FaceDetail(boundingBox: BoundingBox(xmin: d.xmin, ymin: d.ymin, xmax: d.xmax, ymax: d.ymax,
                                                                                frameWidth: image.width, frameHeight: image.height),
                                                       confidence: min(100, 100 * (d.score * m.presence).squareRoot())))
            describe(&face, image, attributes)
            out.append(face)
        }
        return out
    }

    private func describe(_ face: inout AnalysedFace, _ image: RGBImage, _ attributes: FaceAttributes) {
        let w = Double(image.width), h = Double(image.height)
        let marks = LandmarkMapping.landmarks(mesh: face.mesh.points, leftPupil: face.leftEye.pupil, rightPupil: face.rightEye.pupil)
        face.detail.landmarks = marks.map { Landmark(type: $0.type, x: Float($0.x / w), y: Float($0.y / h)) }
        let pose = HeadPose.estimate(face.mesh.points)
        face.detail.pose = Pose(roll: Float(pose.roll), yaw: Float(pose.yaw), pitch: Float(pose.pitch))
        let d = face.detection
        let q = FaceQuality.measure(image, box: PixelRect(x: d.xmin, y: d.ymin, width: d.width, height: d.height))
        face.detail.quality = ImageQuality(brightness: Float(q.brightness), sharpness: Float(q.sharpness))
        if attributes == .all {
            FaceGeometry.addAllAttributes(&face, pose: pose)
        }
    }
}
