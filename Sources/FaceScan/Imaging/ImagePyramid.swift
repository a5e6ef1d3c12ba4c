/// An image and its successive halvings (each pixel the mean of 2×2), for shrinking large regions into
/// small model inputs cheaply. Resampling a whole 1920×1080 frame to BlazeFace's 192-pixel input
/// filters every row with 22 taps per output value; from the quarter-size level the same region takes a
/// sixteenth of the work. A region is read from the smallest level at which it still spans at least
/// twice the output size, so the triangle filter still averages (never aliases) and the input the model
/// sees differs from a full-resolution resampling by a slight extra blur.
struct ImagePyramid {
    /// Level 0 is the image itself; level k is 2^k times smaller.
    private(set) var levels: [RGBImage]

    /// Builds the levels that shrinking any of `regions` to `size` pixels needs.
    init(_ image: RGBImage, regions: [PixelRect], size: Int) {
        levels = [image]
        let deepest = regions.map { Self.level(for: $0, size: size) }.max() ?? 0
        while levels.count <= deepest, let last = levels.last, last.width >= 2, last.height >= 2 {
            levels.append(Self.halved(last))
        }
    }

    /// The level to read `region` from, and the region in that level's pixels.
    func source(for region: PixelRect, size: Int) -> (image: RGBImage, region: PixelRect) {
        let k = min(Self.level(for: region, size: size), levels.count - 1)
        let f = Double(1 << k)
        return (levels[k], PixelRect(x: region.x / f, y: region.y / f, width: region.width / f, height: region.height / f))
    }

    /// The deepest level at which `region` still spans at least 2·size pixels.
    static func level(for region: PixelRect, size: Int) -> Int {
        let side = max(region.width, region.height)
        var k = 0
        while k < 8, side / Double(1 << (k + 1)) >= 2 * Double(size) { k += 1 }
        return k
    }

    /// Each pixel the rounded mean of a 2×2 block (a last odd row or column is dropped).
    ///
    /// Per output row, three passes 16 bytes at a time: the two source rows summed (`rows`), each sum
    /// added to the one a pixel to its right (`pairs[i] = rows[i] + rows[i + 3]`, rounded and divided by 4),
    /// and every other pixel of that kept (4-byte copies that overlap by one byte, the last pixel apart).
    static func halved(_ image: RGBImage) -> RGBImage {
        let w = image.width / 2, h = image.height / 2
        guard w > 0, h > 0 else { return RGBImage(width: 1, height: 1, pixels: [0, 0, 0]) }
        let used = 6 * w                      // bytes of a source row that feed the output
        let padded = (used + 3 + 15) / 16 * 16 // room for the 3-byte look-ahead and whole vectors
        var out = [UInt8](repeating: 0, count: w * h * 3)
        var rows = [UInt16](repeating: 0, count: padded + 16)
        var pairs = [UInt8](repeating: 0, count: padded)
        image.pixels.withUnsafeBytes { src in
            out.withUnsafeMutableBufferPointer { dst in
                rows.withUnsafeMutableBufferPointer { rowSums in
                    pairs.withUnsafeMutableBufferPointer { pairMeans in
                        let stride = image.width * 3
                        let sums = UnsafeMutableRawPointer(rowSums.baseAddress!)
                        let means = UnsafeMutableRawPointer(pairMeans.baseAddress!)
                        let whole = used / 16 * 16
                        for y in 0..<h {
                            let a = 2 * y * stride, b = a + stride
                            var i = 0
                            while i < whole {
                                let top = SIMD16<UInt16>(truncatingIfNeeded: src.loadUnaligned(fromByteOffset: a + i, as: SIMD16<UInt8>.self))
                                let bottom = SIMD16<UInt16>(truncatingIfNeeded: src.loadUnaligned(fromByteOffset: b + i, as: SIMD16<UInt8>.self))
                                sums.storeBytes(of: top &+ bottom, toByteOffset: 2 * i, as: SIMD16<UInt16>.self)
                                i += 16
                            }
                            while i < used {
                                rowSums[i] = UInt16(src[a + i]) + UInt16(src[b + i])
                                i += 1
                            }
                            i = 0
                            while i < used {
                                let left = sums.loadUnaligned(fromByteOffset: 2 * i, as: SIMD16<UInt16>.self)
                                let right = sums.loadUnaligned(fromByteOffset: 2 * (i + 3), as: SIMD16<UInt16>.self)
                                let mean = (left &+ right &+ 2) &>> 2
                                means.storeBytes(of: SIMD16<UInt8>(truncatingIfNeeded: mean), toByteOffset: i, as: SIMD16<UInt8>.self)
                                i += 16
                            }
                            let o = UnsafeMutableRawPointer(dst.baseAddress! + y * w * 3)
                            for x in 0..<(w - 1) {
                                o.storeBytes(of: means.loadUnaligned(fromByteOffset: 6 * x, as: UInt32.self), toByteOffset: 3 * x, as: UInt32.self)
                            }
                            for k in 0..<3 { o.storeBytes(of: pairMeans[6 * (w - 1) + k], toByteOffset: 3 * (w - 1) + k, as: UInt8.self) }
                        }
                    }
                }
            }
        }
        return RGBImage(width: w, height: h, pixels: out)
    }
}
