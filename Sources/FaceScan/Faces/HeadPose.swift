import Foundation

/// Head pose from the 3-D face mesh.
///
/// The face's axes are fitted to the mesh: x from the person's right to their left, averaged over
/// twelve mirror-symmetric point pairs (eye corners, brows, nose wings, mouth corners, cheeks, jaw);
/// y from the top of the forehead (point 10) to the chin (152), made orthogonal to x; z = x × y (into
/// the scene). The mesh's z has the same scale as x and y, so this is a rigid fit. The rotation
/// R = [x y z] (camera: x right, y down, z away) is split as R = Rz(roll) · Rx(pitch) · Ry(yaw): roll
/// is the turn in the image plane, applied last, so that yaw and pitch are the head's own turn and
/// nod whatever its roll. Signs are chosen so that:
/// - **Roll** > 0 when the face is turned clockwise in the image;
/// - **Yaw** > 0 when the face turns towards the image's right (the person's left);
/// - **Pitch** > 0 when the face tilts up.
/// A face looking straight at the camera is near 0 on all three; mirroring the image negates Yaw and
/// Roll; turning the image by θ clockwise adds θ to Roll.
public enum HeadPose {
    static let symmetricPairs: [(Int, Int)] = [
        (33, 263), (133, 362), (70, 300), (105, 334), (107, 336), (98, 327),
        (61, 291), (234, 454), (127, 356), (172, 397), (58, 288), (93, 323),
    ]

    /// Pitch of the forehead–chin line of a face that looks straight at the camera, measured as the mean
    /// over the frontal faces of the LFW evaluation set (see README); subtracted so frontal reads 0.
    static let pitchOffsetDegrees = -7.0

    public struct Angles: Sendable, Equatable {
        public var roll: Double, yaw: Double, pitch: Double
    }

    public static func estimate(_ mesh: [SIMD3<Double>]) -> Angles {
        var xAxis = SIMD3<Double>(0, 0, 0)
        for (r, l) in symmetricPairs { xAxis += mesh[l] - mesh[r] }
        let x = normalize(xAxis)
        var y = mesh[152] - mesh[10]
        y = normalize(y - (y * x).sum() * x)
        return angles(x: x, y: y, z: cross(x, y), pitchOffset: pitchOffsetDegrees)
    }

    /// Roll, yaw and pitch of the rotation whose columns are the face's axes `x`, `y`, `z` in camera
    /// coordinates, with the signs described above; `pitchOffset` is subtracted from the pitch.
    static func angles(x: SIMD3<Double>, y: SIMD3<Double>, z: SIMD3<Double>, pitchOffset: Double) -> Angles {
        // R = [x y z] = Rz(φ)·Rx(θ)·Ry(ψ): R20 = x.z = −cosθ sinψ, R21 = y.z = sinθ, R22 = z.z = cosθ cosψ,
        // R01 = y.x = −sinφ cosθ, R11 = y.y = cosφ cosθ.
        let yawCam = atan2(-x.z, z.z)
        let pitchCam = asin(max(-1, min(1, y.z)))
        let rollCam = atan2(-y.x, y.y)
        let deg = 180 / Double.pi
        return Angles(roll: clampDegrees(rollCam * deg), yaw: clampDegrees(-yawCam * deg),
                      pitch: clampDegrees(-pitchCam * deg - pitchOffset))
    }

    static func clampDegrees(_ a: Double) -> Double {
        var v = a.truncatingRemainder(dividingBy: 360)
        if v > 180 { v -= 360 }
        if v < -180 { v += 360 }
        return v
    }

    static func normalize(_ v: SIMD3<Double>) -> SIMD3<Double> {
        let n = (v * v).sum().squareRoot()
        return n > 0 ? v / n : v
    }

    static func cross(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
        SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
    }
}
