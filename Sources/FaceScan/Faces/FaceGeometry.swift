import Foundation

/// The ALL attributes facescan can compute honestly from the mesh and irises: EyesOpen, MouthOpen,
/// EyeDirection. (Smile is left out: the mesh's mouth shape alone does not separate a smile from
/// speech or a grimace reliably, and no trained classifier is at hand.)
public enum FaceGeometry {
    /// 3-D distance between two mesh points: the mesh's depth keeps ratios of lengths nearly unchanged
    /// when the head turns, where image distances are foreshortened.
    static func dist(_ p: [SIMD3<Double>], _ a: Int, _ b: Int) -> Double {
        let d = p[a] - p[b]
        return (d * d).sum().squareRoot()
    }

    /// Eye aspect ratio (EAR) of one eye from its mesh contour: the mean of two lid-to-lid heights over
    /// the corner-to-corner width (Soukupová and Čech, 2016), in 3-D.
    public static func eyeAspectRatio(_ p: [SIMD3<Double>], corners: (Int, Int), upper: (Int, Int), lower: (Int, Int)) -> Double {
        func dist(_ a: Int, _ b: Int) -> Double { Self.dist(p, a, b) }
        let width = dist(corners.0, corners.1)
        guard width > 0 else { return 0 }
        return (dist(upper.0, lower.0) + dist(upper.1, lower.1)) / (2 * width)
    }

    /// Both eyes' EAR: image-left eye (33, 133; lids 160/144 and 158/153) and image-right eye
    /// (362, 263; lids 385/380 and 387/373).
    public static func eyeAspectRatios(_ p: [SIMD3<Double>]) -> (Double, Double) {
        (eyeAspectRatio(p, corners: (33, 133), upper: (160, 158), lower: (144, 153)),
         eyeAspectRatio(p, corners: (362, 263), upper: (385, 387), lower: (380, 373)))
    }

    /// Inner-lip gap (13 to 14) over mouth width (78 to 308), in 3-D.
    public static func mouthOpening(_ p: [SIMD3<Double>]) -> Double {
        let w = dist(p, 78, 308)
        return w > 0 ? dist(p, 13, 14) / w : 0
    }

    /// Thresholds and scales (see README, "Face attributes", for how they were calibrated).
    static let eyeOpenThreshold = 0.20, eyeScale = 0.05
    static let mouthOpenThreshold = 0.10, mouthScale = 0.06

    /// 50 at the threshold, rising towards 100 with the distance from it, in units of `scale`.
    static func confidence(_ value: Double, threshold: Double, scale: Double) -> Float {
        Float(50 + 50 * tanh(abs(value - threshold) / scale))
    }

    /// 1 for a head within 30° of frontal, falling to 0 at 75°: the mesh's eye and lip contours are
    /// less reliable on a face seen from the side, so the Confidence of what they say falls too.
    static func frontality(_ pose: HeadPose.Angles) -> Double {
        max(0, 1 - max(0, abs(pose.yaw) - 30) / 45)
    }

    static func addAllAttributes(_ detail: inout FaceDetail, _ face: MeshedFace, pose: HeadPose.Angles) {
        let front = Float(frontality(pose))
        let (l, r) = eyeAspectRatios(face.mesh.points)
        let ear = (l + r) / 2
        detail.eyesOpen = BooleanAttribute(value: ear > eyeOpenThreshold,
                                                confidence: 50 + (confidence(ear, threshold: eyeOpenThreshold, scale: eyeScale) - 50) * front)
        let mouth = mouthOpening(face.mesh.points)
        detail.mouthOpen = BooleanAttribute(value: mouth > mouthOpenThreshold,
                                                 confidence: 50 + (confidence(mouth, threshold: mouthOpenThreshold, scale: mouthScale) - 50) * front)
        detail.eyeDirection = eyeDirection(face, pose: pose, eyesOpenness: ear)
    }

    /// Gaze: each pupil's offset from its eye's centre (the midpoint of the corners), in units of the
    /// eye's half-width horizontally and of the iris radius vertically, turned into angles through an
    /// eyeball model (the eyeball's radius is about 1.2 × the eye's half-width), plus the head pose.
    /// Yaw > 0 looks towards the image's right, Pitch > 0 looks up, as Pose. Confidence falls with
    /// closed eyes and with a head turned so far that one eye is hidden.
    static func eyeDirection(_ face: MeshedFace, pose: HeadPose.Angles, eyesOpenness: Double) -> EyeDirection {
        let p = face.mesh.points
        func offsets(_ pupil: SIMD2<Double>, _ a: Int, _ b: Int, radius: Double) -> (Double, Double)? {
            let ca = SIMD2(p[a].x, p[a].y), cb = SIMD2(p[b].x, p[b].y)
            let axis = cb - ca
            let half = axis.length / 2
            guard half > 0, radius > 0 else { return nil }
            let ux = axis / (2 * half), uy = SIMD2(-ux.y, ux.x)
            let d = pupil - (ca + cb) / 2
            let eyeball = 1.2 * half
            let sx = max(-1, min(1, (d * ux).sum() / eyeball))
            let sy = max(-1, min(1, (d * uy).sum() / eyeball))
            return (asin(sx) * 180 / .pi, -asin(sy) * 180 / .pi)
        }
        let left = offsets(face.leftEye.pupil, 33, 133, radius: face.leftEye.irisRadius)
        let right = offsets(face.rightEye.pupil, 362, 263, radius: face.rightEye.irisRadius)
        let both = [left, right].compactMap { $0 }
        let yawEye = both.map(\.0).reduce(0, +) / Double(max(1, both.count))
        let pitchEye = both.map(\.1).reduce(0, +) / Double(max(1, both.count))
        let yaw = HeadPose.clampDegrees(pose.yaw + yawEye)
        let pitch = HeadPose.clampDegrees(pose.pitch + pitchEye)
        // Full confidence for open eyes and a head within 30° of frontal, less beyond.
        let open = min(1, max(0, (eyesOpenness - 0.12) / 0.12))
        return EyeDirection(yaw: Float(yaw), pitch: Float(pitch), confidence: Float(100 * open * frontality(pose)))
    }
}
