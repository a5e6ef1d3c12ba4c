/// Where the detector looks in a frame: the whole frame, plus overlapping tiles at as many scales as
/// needed to find faces down to `minFaceSize` pixels.
///
/// The full-range BlazeFace model sees a 192×192 input. Measured on the 43 faces of dlib's example
/// photos (../shared/data/dlib_faces), it finds faces reliably down to about 14 input pixels (42/43 at
/// ~14.8 px, 35/43 at ~10 px, 14/43 at ~7 px). A region of side T therefore finds faces down to
/// about `detectableFraction` (0.08) of T, so the smallest tiles are minFaceSize / 0.08 pixels (400 for
/// 32-pixel faces: 16 input pixels). Tiles of one level overlap by `overlapFraction` (a quarter) of
/// their side, so every face up to that size lies whole inside some tile; detections touching a tile
/// edge inside the frame are dropped (the neighbouring tile has the face whole). Larger faces are left
/// to the next level, whose tiles are (0.25 / 0.08) ≈ 3.1 times larger, up to the whole frame.
/// A 640×360 frame takes 3 model runs, 1280×720 13, 1920×1080 31.
public struct DetectionTiling: Sendable {
    public var minFaceSize: Double
    public static let detectableFraction = 0.08
    public static let overlapFraction = 0.25

    public init(minFaceSize: Double = 32) { self.minFaceSize = minFaceSize }

    public struct Region: Sendable {
        public let rect: PixelRect
        /// The region's edges that lie inside the frame (detections touching them are partial).
        public let innerLeft: Bool, innerTop: Bool, innerRight: Bool, innerBottom: Bool
        public var isWholeFrame: Bool { !innerLeft && !innerTop && !innerRight && !innerBottom }
    }

    /// The regions to run the detector on, smallest tiles first, the whole frame last.
    public func regions(width: Int, height: Int) -> [Region] {
        let w = Double(width), h = Double(height)
        let longSide = max(w, h)
        var out: [Region] = []
        var side = minFaceSize / Self.detectableFraction
        while side < longSide * 0.9 {
            out += Self.level(side: side, width: w, height: h)
            side *= Self.overlapFraction / Self.detectableFraction
        }
        out.append(Region(rect: PixelRect(x: 0, y: 0, width: w, height: h),
                          innerLeft: false, innerTop: false, innerRight: false, innerBottom: false))
        return out
    }

    /// Tiles of `side` pixels covering a frame, overlapping by `overlapFraction` of their side (one tile
    /// per axis where the frame is no larger).
    static func level(side: Double, width w: Double, height h: Double) -> [Region] {
        let tw = min(side, w), th = min(side, h)
        let step = side * (1 - Self.overlapFraction)
        let nx = tw >= w ? 1 : Int(((w - tw) / step).rounded(.up)) + 1
        let ny = th >= h ? 1 : Int(((h - th) / step).rounded(.up)) + 1
        var out: [Region] = []
        for j in 0..<ny {
            for i in 0..<nx {
                let x = nx == 1 ? 0 : (w - tw) * Double(i) / Double(nx - 1)
                let y = ny == 1 ? 0 : (h - th) * Double(j) / Double(ny - 1)
                out.append(Region(rect: PixelRect(x: x, y: y, width: tw, height: th),
                                  innerLeft: x > 0.5, innerTop: y > 0.5,
                                  innerRight: x + tw < w - 0.5, innerBottom: y + th < h - 0.5))
            }
        }
        return out
    }

    /// False for a detection cut by an inner edge of its region.
    public func isWhole(_ d: Detection, in region: Region) -> Bool {
        let margin = 0.02 * max(region.rect.width, region.rect.height)
        if region.innerLeft && d.xmin < region.rect.x + margin { return false }
        if region.innerTop && d.ymin < region.rect.y + margin { return false }
        if region.innerRight && d.xmax > region.rect.x + region.rect.width - margin { return false }
        if region.innerBottom && d.ymax > region.rect.y + region.rect.height - margin { return false }
        return true
    }
}
