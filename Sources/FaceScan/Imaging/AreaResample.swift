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
        // Per output row: the column-window sums of each input row of its row window, added up, then
        // divided by the window's size. Only one output row of sums is held (no frame-sized buffer);
        // adjacent row windows share at most one input row.
        let columns = (0..<outWidth).map { window($0, outWidth, width) }
        var sums = [Float](repeating: 0, count: outWidth * 3)
        image.pixels.withUnsafeBufferPointer { px in
            sums.withUnsafeMutableBufferPointer { acc in
                for oy in 0..<outHeight {
                    let rows = window(oy, outHeight, height)
                    for i in 0..<acc.count { acc[i] = 0 }
                    for y in rows {
                        let row = ((y0 + y) * image.width + x0) * 3
                        for (ox, cols) in columns.enumerated() {
                            var r: Float = 0, g: Float = 0, b: Float = 0
                            for x in cols {
                                let p = row + x * 3
                                r += Float(px[p]); g += Float(px[p + 1]); b += Float(px[p + 2])
                            }
                            acc[ox * 3] += r; acc[ox * 3 + 1] += g; acc[ox * 3 + 2] += b
                        }
                    }
                    for ox in 0..<outWidth {
                        let n = Float(rows.count) * Float(columns[ox].count)
                        let o = (oy * outWidth + ox) * 3
                        output[o] = (acc[ox * 3] / n + offset) * scale
                        output[o + 1] = (acc[ox * 3 + 1] / n + offset) * scale
                        output[o + 2] = (acc[ox * 3 + 2] / n + offset) * scale
                    }
                }
            }
        }
    }
}
