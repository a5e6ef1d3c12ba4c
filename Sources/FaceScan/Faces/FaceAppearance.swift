/// What a meshed face looks like, coarsely: its mesh crop (centred, scaled and turned by the mesh, so
/// it does not change as the face moves) as a 16×16 grey patch (from a 32×32 crop), mean removed and scaled to unit length.
/// Video tracking compares a followed face's patch with the previous frame's: the same face gives a
/// correlation near 1, while a cut that puts another face where the mesh looks gives a low one (the
/// colour of the whole picture can stay the same across such a cut, so `ShotSignature` misses it).
struct FaceAppearance: Sendable {
    static let size = 32
    /// Correlation below which a followed face is taken to be another face (a cut). Measured on
    /// short_hamilton_clip.mp4 and the shared talking-head videos (README, "Tracking faces through a video").
    static let minCorrelation: Float = 0.42

    let values: [Float]

    /// The patch of a meshed face's crop.
    init(_ image: RGBImage, points: [SIMD3<Double>]) { self.init(image, FaceMesh.roi(for: points)) }

    /// The patch of a detection's crop (coarser: the detector's box moves more from frame to frame).
    init(_ image: RGBImage, detection: Detection) { self.init(image, FaceMesh.roi(for: detection)) }

    init(_ image: RGBImage, _ roi: RotatedRect) {
        let n = Self.size
        var rgb = [Float](repeating: 0, count: n * n * 3)
        rgb.withUnsafeMutableBufferPointer { AffineWarp.crop(image, roi, size: n, scale: 1, offset: 0, into: $0.baseAddress!) }
        // Grey, averaged over 2×2 pixels: a 16×16 patch, blurred enough that small misplacements of
        // the crop and motion blur change it little.
        let m = n / 2
        var grey = [Float](repeating: 0, count: m * m)
        for y in 0..<n {
            for x in 0..<n {
                let i = y * n + x
                let sum: Float = rgb[3 * i] + rgb[3 * i + 1] + rgb[3 * i + 2]
                grey[(y / 2) * m + x / 2] += sum
            }
        }
        let mean = grey.reduce(0, +) / Float(grey.count)
        var norm: Float = 0
        for i in grey.indices { grey[i] -= mean; norm += grey[i] * grey[i] }
        norm = norm.squareRoot()
        values = norm > 1e-3 ? grey.map { $0 / norm } : grey.map { _ in 0 }
    }

    /// Normalised cross-correlation, −1 to 1 (0 when either patch is flat).
    func correlation(_ other: FaceAppearance) -> Float {
        var total: Float = 0
        for i in values.indices { total += values[i] * other.values[i] }
        return total
    }
}
