/// Resizing by area averaging, as PyTorch's `interpolate(mode="area")` (adaptive average pooling): output
/// pixel i of n, from m input pixels, averages input pixels floor(i·m/n) ..< ceil((i+1)·m/n) in each
/// direction. Shrinking, every input pixel counts (nothing is skipped, unlike sampling filters);
/// enlarging, it repeats pixels. MTCNN's reference implementation resizes its pyramid levels and face
/// crops this way.
enum AreaResample {
    /// The window of input pixels output pixel `i` of `n` averages, out of `m`.
    @inline(__always)
    static func window(_ i: Int, _ n: Int, _ m: Int) -> Range<Int> {
        (i * m / n)..<(((i + 1) * m + n - 1) / n)
    }

    /// Averages `region` (whole pixels, inside the image) of `image` down or up to `outWidth`×`outHeight`
    /// and writes `(average + offset) · scale` per channel as NHWC floats into `output`.
    static func resize(_ image: RGBImage, x0: Int, y0: Int, width: Int, height: Int, outWidth: Int, outHeight: Int,
                       offset: Float, scale: Float, into output: UnsafeMutablePointer<Float>) {
        precondition(x0 >= 0 && y0 >= 0 && width >= 1 && height >= 1 && x0 + width <= image.width
                     && y0 + height <= image.height && outWidth >= 1 && outHeight >= 1, "area resize outside the image")
        // Horizontal pass: per input row of the region, the sum of each output column's window.
        let columns = (0..<outWidth).map { window($0, outWidth, width) }
        var rowSums = [Float](repeating: 0, count: height * outWidth * 3)
        image.pixels.withUnsafeBufferPointer { px in
            rowSums.withUnsafeMutableBufferPointer { sums in
                for y in 0..<height {
                    let row = ((y0 + y) * image.width + x0) * 3
                    for (ox, cols) in columns.enumerated() {
                        var r: Float = 0, g: Float = 0, b: Float = 0
                        for x in cols {
                            let p = row + x * 3
                            r += Float(px[p]); g += Float(px[p + 1]); b += Float(px[p + 2])
                        }
                        let o = (y * outWidth + ox) * 3
                        sums[o] = r; sums[o + 1] = g; sums[o + 2] = b
                    }
                }
            }
        }
        // Vertical pass: the rows of each output row's window, divided by the window's size.
        rowSums.withUnsafeBufferPointer { sums in
            for oy in 0..<outHeight {
                let rows = window(oy, outHeight, height)
                for ox in 0..<outWidth {
                    var r: Float = 0, g: Float = 0, b: Float = 0
                    for y in rows {
                        let p = (y * outWidth + ox) * 3
                        r += sums[p]; g += sums[p + 1]; b += sums[p + 2]
                    }
                    let n = Float(rows.count) * Float(columns[ox].count)
                    let o = (oy * outWidth + ox) * 3
                    output[o] = (r / n + offset) * scale
                    output[o + 1] = (g / n + offset) * scale
                    output[o + 2] = (b / n + offset) * scale
                }
            }
        }
    }
}
