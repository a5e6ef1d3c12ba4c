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

    /// `sums[i] += row[i]` for i in 0 ..< count, 16 at a time.
    @inline(__always)
    private static func add(_ row: UnsafePointer<UInt8>, into sums: UnsafeMutablePointer<Int32>, count: Int) {
        var i = 0
        let from = UnsafeRawPointer(row), to = UnsafeMutableRawPointer(sums)
        while i + 16 <= count {
            let v = SIMD16<Int32>(truncatingIfNeeded: from.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self))
            to.storeBytes(of: to.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Int32>.self) &+ v, toByteOffset: i * 4, as: SIMD16<Int32>.self)
            i += 16
        }
        while i < count { sums[i] &+= Int32(row[i]); i += 1 }
    }

    /// Averages `region` (whole pixels, inside the image) of `image` down or up to `outWidth`×`outHeight`
    /// and writes `(average + offset) · scale` per channel as NHWC floats into `output`.
    static func resize(_ image: RGBImage, x0: Int, y0: Int, width: Int, height: Int, outWidth: Int, outHeight: Int,
                       offset: Float, scale: Float, into output: UnsafeMutablePointer<Float>) {
        precondition(x0 >= 0 && y0 >= 0 && width >= 1 && height >= 1 && x0 + width <= image.width
                     && y0 + height <= image.height && outWidth >= 1 && outHeight >= 1, "area resize outside the image")
        // Per output row: the input rows of its row window summed column by column (whole numbers, in
        // order along each row, which vectorises), then running sums along that row, so that each output
        // pixel's window is one difference. Sums of 8-bit values are exact as integers and as the floats
        // they become (below 2^24 for any window the pyramid or a crop has), so the result is the same,
        // to the bit, as averaging each window pixel by pixel. Every input pixel is read once per level
        // (twice where adjacent row windows share a row); no frame-sized buffer is held.
        let columns = (0..<outWidth).map { window($0, outWidth, width) }
        let rowLength = width * 3
        var columnSums = [Int32](repeating: 0, count: rowLength)
        var running = [Int64](repeating: 0, count: rowLength + 3)
        image.pixels.withUnsafeBufferPointer { px in
            columnSums.withUnsafeMutableBufferPointer { sums in
                running.withUnsafeMutableBufferPointer { run in
                    for oy in 0..<outHeight {
                        let rows = window(oy, outHeight, height)
                        sums.update(repeating: 0)
                        for y in rows {
                            add(px.baseAddress! + ((y0 + y) * image.width + x0) * 3, into: sums.baseAddress!, count: rowLength)
                        }
                        // run[3·x + c]: channel c summed over the columns before x.
                        for i in 0..<rowLength { run[i + 3] = run[i] &+ Int64(sums[i]) }
                        for (ox, cols) in columns.enumerated() {
                            let n = Float(rows.count) * Float(cols.count)
                            let o = (oy * outWidth + ox) * 3, lo = cols.lowerBound * 3, hi = cols.upperBound * 3
                            output[o] = (Float(run[hi] - run[lo]) / n + offset) * scale
                            output[o + 1] = (Float(run[hi + 1] - run[lo + 1]) / n + offset) * scale
                            output[o + 2] = (Float(run[hi + 2] - run[lo + 2]) / n + offset) * scale
                        }
                    }
                }
            }
        }
    }
}
