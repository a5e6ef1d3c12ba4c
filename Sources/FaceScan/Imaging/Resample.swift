import SIMDFMA

/// A rectangle in pixels (x, y of the top-left corner, width, height).
public struct PixelRect: Sendable, Equatable {
    public var x: Double, y: Double, width: Double, height: Double
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }
}

/// How a region of a frame was placed into a square model input: un-maps model coordinates.
public struct Letterbox: Sendable {
    /// The frame region that was scaled.
    public let region: PixelRect
    /// Model input side.
    public let size: Int
    /// The scaled region's placement inside the input, in input pixels.
    public let contentX: Double, contentY: Double, contentWidth: Double, contentHeight: Double

    /// Maps a point in normalised input coordinates ([0, 1] of the square input) to frame pixels.
    public func framePoint(_ nx: Double, _ ny: Double) -> (Double, Double) {
        let px = nx * Double(size), py = ny * Double(size)
        return (region.x + (px - contentX) / contentWidth * region.width,
                region.y + (py - contentY) / contentHeight * region.height)
    }
}

/// Resampling of RGB frames into float model inputs.
public enum Resample {
    /// Per output sample: the first input index and its weights (a triangle filter widened by the scale
    /// when shrinking, as PIL's bilinear resize does, so that shrinking averages instead of aliasing).
    struct Coefficients {
        var first: [Int32] = []
        var count: [Int32] = []
        var weights: [Float] = []
        var stride = 0

        init(inputStart: Double, inputLength: Double, inputLimit: Int, outputLength: Int) {
            let scale = inputLength / Double(outputLength)
            let filterScale = max(scale, 1)
            let support = filterScale
            stride = Int(support.rounded(.up)) * 2 + 2
            first = [Int32](repeating: 0, count: outputLength)
            count = [Int32](repeating: 0, count: outputLength)
            weights = [Float](repeating: 0, count: outputLength * stride)
            for o in 0..<outputLength {
                let center = inputStart + (Double(o) + 0.5) * scale
                let lo = max(0, Int((center - support).rounded(.down)))
                let hi = min(inputLimit, Int((center + support).rounded(.up)))
                // At most `stride` taps (the support bounds them), normalised.
                let n = max(0, min(hi - lo, stride))
                var total = 0.0
                for k in 0..<n { total += max(0, 1 - abs((Double(lo + k) + 0.5 - center) / filterScale)) }
                first[o] = Int32(lo)
                count[o] = Int32(n)
                for k in 0..<n where total > 0 {
                    weights[o * stride + k] = Float(max(0, 1 - abs((Double(lo + k) + 0.5 - center) / filterScale)) / total)
                }
            }
        }
    }

    /// Scales `region` of `image` to fit a `size`×`size` input keeping its aspect ratio, centred, the
    /// rest filled with black; writes `value · scale + offset` per channel into `out` (NHWC, RGB).
    /// Region parts outside the image are black. With a `pyramid` of `image`, a large region is read
    /// from a smaller level (`ImagePyramid`).
    @discardableResult
    public static func letterbox(_ image: RGBImage, region: PixelRect, size: Int, scale: Float, offset: Float,
                                 into out: UnsafeMutablePointer<Float>) -> Letterbox {
        letterbox(image, region: region, size: size, scale: scale, offset: offset, into: out, pyramid: nil)
    }

    @discardableResult
    static func letterbox(_ image: RGBImage, region: PixelRect, size: Int, scale: Float, offset: Float,
                          into out: UnsafeMutablePointer<Float>, pyramid: ImagePyramid?) -> Letterbox {
        let k = Double(size) / max(region.width, region.height)
        let cw = max(1, min(size, Int((region.width * k).rounded())))
        let ch = max(1, min(size, Int((region.height * k).rounded())))
        let cx = (size - cw) / 2, cy = (size - ch) / 2
        let box = Letterbox(region: region, size: size, contentX: Double(cx), contentY: Double(cy),
                            contentWidth: Double(cw), contentHeight: Double(ch))
        let pad = offset // black (0) maps to offset
        for i in 0..<(size * size * 3) { out[i] = pad }

        let (source, sourceRegion) = pyramid?.source(for: region, size: size) ?? (image, region)
        resample(source, region: sourceRegion, width: cw, height: ch, scale: scale, offset: offset,
                 into: out + (cy * size + cx) * 3, rowStride: size * 3)
        return box
    }

    /// Scales `region` of `image` to exactly `width`×`height` (aspect not kept), RGB floats 0…255.
    public static func stretch(_ image: RGBImage, region: PixelRect, width: Int, height: Int, into out: UnsafeMutablePointer<Float>) {
        resample(image, region: region, width: width, height: height, scale: 1, offset: 0, into: out, rowStride: width * 3)
    }

    /// The separable resampling both use; output rows are `rowStride` floats apart. The vertical pass
    /// runs first, 16 values at a time over whole rows of bytes, so that the horizontal pass (a few taps
    /// per output value, three channels apart) runs on the output's rows only, not on every row of the
    /// region: shrinking a region by s, that is s times less of the costlier pass.
    static func resample(_ image: RGBImage, region: PixelRect, width cw: Int, height ch: Int, scale: Float, offset: Float,
                         into out: UnsafeMutablePointer<Float>, rowStride: Int) {
        let hc = Coefficients(inputStart: region.x, inputLength: region.width, inputLimit: image.width, outputLength: cw)
        let vc = Coefficients(inputStart: region.y, inputLength: region.height, inputLimit: image.height, outputLength: ch)
        // Columns of the image that the horizontal filter touches.
        var colLo = Int.max, colHi = 0
        for o in 0..<cw where hc.count[o] > 0 {
            colLo = min(colLo, Int(hc.first[o])); colHi = max(colHi, Int(hc.first[o] + hc.count[o]))
        }
        guard colLo < colHi else { return }
        let span = (colHi - colLo) * 3
        // Vertical pass: each output row from its source rows, for the touched columns.
        var vertical = [Float](repeating: 0, count: ch * span)
        image.pixels.withUnsafeBufferPointer { src in
            vertical.withUnsafeMutableBufferPointer { tmp in
                vc.weights.withUnsafeBufferPointer { w in
                    for o in 0..<ch {
                        let f = Int(vc.first[o]), n = Int(vc.count[o])
                        let dst = tmp.baseAddress! + o * span
                        let base = src.baseAddress! + colLo * 3
                        var x = 0
                        while x + 16 <= span {
                            var acc = SIMD16<Float>()
                            for t in 0..<n {
                                let bytes = UnsafeRawPointer(base + (f + t) * image.width * 3 + x).loadUnaligned(as: SIMD16<UInt8>.self)
                                acc = fma(SIMD16(repeating: w[o * vc.stride + t]), SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: bytes)), acc)
                            }
                            UnsafeMutableRawPointer(dst + x).storeBytes(of: acc, as: SIMD16<Float>.self)
                            x += 16
                        }
                        while x < span {
                            var acc: Float = 0
                            for t in 0..<n { acc += w[o * vc.stride + t] * Float(base[(f + t) * image.width * 3 + x]) }
                            dst[x] = acc
                            x += 1
                        }
                    }
                }
            }
        }
        // Horizontal pass on the output's rows, with the scale and offset.
        vertical.withUnsafeBufferPointer { tmp in
            hc.weights.withUnsafeBufferPointer { w in
                for y in 0..<ch {
                    let row = tmp.baseAddress! + y * span
                    let dst = out + y * rowStride
                    for o in 0..<cw {
                        var r: Float = 0, g: Float = 0, b: Float = 0
                        let f = Int(hc.first[o]) - colLo, n = Int(hc.count[o])
                        for t in 0..<n {
                            let wt = w[o * hc.stride + t]
                            let p = row + (f + t) * 3
                            r += wt * p[0]; g += wt * p[1]; b += wt * p[2]
                        }
                        dst[o * 3] = r * scale + offset; dst[o * 3 + 1] = g * scale + offset; dst[o * 3 + 2] = b * scale + offset
                    }
                }
            }
        }
    }
}
