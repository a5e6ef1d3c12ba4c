/// Head pose and landmarks of a face the mesh cannot read (a profile, a face cut by the frame's edge),
/// from BlazeFace's six keypoints (both eyes, nose tip, mouth centre and both ear tragions) or MTCNN's
/// five (both eyes, nose tip and the mouth's corners).
///
/// The keypoints are fitted to a generic 3-D face under weak perspective (the face's depth is small
/// against its distance from the camera): the 2×3 camera matrix M minimising Σ‖M·Pᵢ + t − pᵢ‖² is found
/// by least squares, its rows are made orthonormal, and their cross product completes the rotation,
/// which is split into roll, yaw and pitch exactly as `HeadPose` splits the mesh's (same signs). The
/// tragions, far behind the face's front, are what make a profile read as one: turned 90°, an ear
/// and the nose tip lie at the two ends of the face's image.
///
/// The model, in units of the distance between the eye centres, x towards the image's right on a
/// frontal face, y down, z away from the camera, from average adult head measurements (interpupillary
/// distance 63 mm; nose tip 32 mm below and 26 mm in front of the eyes; mouth 60 mm below and 13 mm in
/// front; tragions 70 mm to each side, 19 mm below and 80 mm behind the eyes; mouth corners 25 mm to
/// each side of the mouth centre and 16 mm behind the eyes). The corners' depth was fitted: on the LFW
/// faces that have a mesh, it makes the five-point yaw of turned faces that of the mesh (at 6 mm behind
/// the eyes it reads them 15% too turned). Without tragions, depth comes from the nose and the mouth
/// alone: measured on faces turned up to 54° (`KeypointPoseTests`), not on profiles.
public enum KeypointPose {
    static let model: [SIMD3<Double>] = [
        SIMD3(-0.5, 0, 0), SIMD3(0.5, 0, 0),     // eye on the image's left, on its right
        SIMD3(0, 0.51, -0.41),                   // nose tip
        SIMD3(0, 0.95, -0.21),                   // mouth centre
        SIMD3(-1.11, 0.30, 1.27), SIMD3(1.11, 0.30, 1.27),  // tragion on the image's left, on its right
    ]

    /// The model for MTCNN's five landmarks: the eyes, the nose tip, the mouth's corners.
    static let cornersModel: [SIMD3<Double>] = [
        SIMD3(-0.5, 0, 0), SIMD3(0.5, 0, 0),
        SIMD3(0, 0.51, -0.41),
        SIMD3(-0.40, 0.95, 0.25), SIMD3(0.40, 0.95, 0.25),  // mouth corner on the image's left, on its right
    ]

    /// Pitch of a frontal face as the fit reads it with this model (the median over the LFW faces that
    /// have a mesh, against the mesh's pose); subtracted so that a frontal face reads about 0.
    static let pitchOffsetDegrees = -4.0

    /// The same for `cornersModel`.
    static let cornersPitchOffsetDegrees = -1.0

    /// The pose from six (BlazeFace) or five (MTCNN) keypoints, or nil when they are missing, not finite
    /// or degenerate (all on a line).
    public static func estimate(_ keypoints: [(x: Double, y: Double)]) -> HeadPose.Angles? {
        switch keypoints.count {
        case model.count: return estimate(keypoints, model: model, pitchOffset: pitchOffsetDegrees)
        case cornersModel.count: return estimate(keypoints, model: cornersModel, pitchOffset: cornersPitchOffsetDegrees)
        default: return nil
        }
    }

    static func estimate(_ keypoints: [(x: Double, y: Double)], model: [SIMD3<Double>], pitchOffset: Double) -> HeadPose.Angles? {
        guard keypoints.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else { return nil }
        let n = Double(model.count)
        let modelMean = model.reduce(SIMD3<Double>(0, 0, 0), +) / n
        let imageMean = keypoints.reduce(SIMD2<Double>(0, 0)) { $0 + SIMD2($1.x, $1.y) } / n
        // Normal equations: M = (Σ uᵢ Xᵢᵀ) (Σ Xᵢ Xᵢᵀ)⁻¹ with Xᵢ, uᵢ centred.
        var xx = [SIMD3<Double>](repeating: .zero, count: 3)
        var ux = [SIMD3<Double>](repeating: .zero, count: 2)
        for (p, k) in zip(model, keypoints) {
            let X = p - modelMean
            let u = SIMD2(k.x, k.y) - imageMean
            for r in 0..<3 { xx[r] += X[r] * X }
            ux[0] += u.x * X
            ux[1] += u.y * X
        }
        guard let inverse = invert(xx) else { return nil }
        let r1 = multiply(ux[0], inverse), r2 = multiply(ux[1], inverse)
        let l1 = length(r1), l2 = length(r2)
        guard l1 > 1e-9, l2 > 1e-9, l1.isFinite, l2.isFinite else { return nil }
        // Nearest orthonormal pair, symmetric in the two rows: rotate both about their bisector.
        let a = r1 / l1, b = r2 / l2
        let sum = a + b, diff = a - b
        guard length(sum) > 1e-9, length(diff) > 1e-9 else { return nil }
        let s = sum / length(sum), d = diff / length(diff)
        let row0 = HeadPose.normalize(s + d), row1 = HeadPose.normalize(s - d)
        let row2 = HeadPose.cross(row0, row1)
        // Columns of R = [row0; row1; row2] are the face's axes in camera coordinates.
        let x = SIMD3(row0.x, row1.x, row2.x), y = SIMD3(row0.y, row1.y, row2.y), z = SIMD3(row0.z, row1.z, row2.z)
        return HeadPose.angles(x: x, y: y, z: z, pitchOffset: pitchOffset)
    }

    /// The landmark types the keypoints give, in frame pixels: eyeLeft, eyeRight (the eye centres) and
    /// nose (its tip), and from MTCNN's five mouthLeft and mouthRight. BlazeFace's mouth centre and
    /// tragions have no landmark type of their own.
    public static func landmarks(_ keypoints: [(x: Double, y: Double)]) -> [(type: String, x: Double, y: Double)] {
        guard keypoints.count >= 3 else { return [] }
        var named = [("eyeLeft", keypoints[0]), ("eyeRight", keypoints[1]), ("nose", keypoints[2])]
        if keypoints.count == cornersModel.count { named += [("mouthLeft", keypoints[3]), ("mouthRight", keypoints[4])] }
        return named.filter { $0.1.x.isFinite && $0.1.y.isFinite }.map { ($0.0, $0.1.x, $0.1.y) }
    }

    static func length(_ v: SIMD3<Double>) -> Double { (v * v).sum().squareRoot() }

    /// v · A for a row vector v and a 3×3 matrix given by rows.
    static func multiply(_ v: SIMD3<Double>, _ rows: [SIMD3<Double>]) -> SIMD3<Double> {
        v.x * rows[0] + v.y * rows[1] + v.z * rows[2]
    }

    /// The inverse of a symmetric 3×3 matrix given by rows, or nil when it is (nearly) singular.
    static func invert(_ m: [SIMD3<Double>]) -> [SIMD3<Double>]? {
        let c0 = HeadPose.cross(m[1], m[2]), c1 = HeadPose.cross(m[2], m[0]), c2 = HeadPose.cross(m[0], m[1])
        let det = (m[0] * c0).sum()
        guard det.isFinite, abs(det) > 1e-12 else { return nil }
        // For a symmetric matrix the adjugate's rows are these cross products.
        return [c0 / det, c1 / det, c2 / det]
    }
}
