import Foundation

/// A 2-D affine map `p ↦ M·p + t`, in double precision (dlib's `point_transform_affine`).
struct PointTransform: Equatable {
    var m00: Double, m01: Double, m10: Double, m11: Double
    var tx: Double, ty: Double

    static let identity = PointTransform(m00: 1, m01: 0, m10: 0, m11: 1, tx: 0, ty: 0)

    @inline(__always)
    func apply(_ x: Double, _ y: Double) -> (x: Double, y: Double) {
        (m00 * x + m01 * y + tx, m10 * x + m11 * y + ty)
    }

    /// The least-squares similarity transform (rotation, uniform scale, translation) taking `from` to
    /// `to`: dlib's `find_similarity_transform` (Umeyama's method). In two dimensions Umeyama's SVD
    /// solution has a closed form: with both point sets centred and `C` their averaged cross-covariance
    /// (`to · fromᵀ`), `M = [[A, −B], [B, A]] / σ²_from` where `A = C₀₀ + C₁₁`, `B = C₁₀ − C₀₁`
    /// (reflections are excluded, as dlib excludes them), and `t = mean_to − M · mean_from`. A zero
    /// spread of `from` gives `M = I`, as in dlib.
    static func similarity(from: [(x: Double, y: Double)], to: [(x: Double, y: Double)]) -> PointTransform {
        precondition(from.count == to.count && !from.isEmpty, "similarity: point lists must match and not be empty")
        let n = Double(from.count)
        var mfx = 0.0, mfy = 0.0, mtx = 0.0, mty = 0.0
        for i in from.indices {
            mfx += from[i].x; mfy += from[i].y
            mtx += to[i].x; mty += to[i].y
        }
        mfx /= n; mfy /= n; mtx /= n; mty /= n
        var sigma = 0.0, c00 = 0.0, c01 = 0.0, c10 = 0.0, c11 = 0.0
        for i in from.indices {
            let fx = from[i].x - mfx, fy = from[i].y - mfy
            let tx = to[i].x - mtx, ty = to[i].y - mty
            sigma += fx * fx + fy * fy
            c00 += tx * fx; c01 += tx * fy
            c10 += ty * fx; c11 += ty * fy
        }
        sigma /= n
        let a = (c00 + c11) / n, b = (c10 - c01) / n
        var m = PointTransform.identity
        if sigma != 0 {
            m.m00 = a / sigma; m.m01 = -b / sigma
            m.m10 = b / sigma; m.m11 = a / sigma
        }
        m.tx = mtx - (m.m00 * mfx + m.m01 * mfy)
        m.ty = mty - (m.m10 * mfx + m.m11 * mfy)
        return m
    }
}
