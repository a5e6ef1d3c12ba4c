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
    static func halved(_ image: RGBImage) -> RGBImage {
        let w = image.width / 2, h = image.height / 2
        var out = [UInt8](repeating: 0, count: w * h * 3)
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                let stride = image.width * 3
                for y in 0..<h {
                    let a = src.baseAddress! + 2 * y * stride, b = a + stride
                    let o = dst.baseAddress! + y * w * 3
                    for x in 0..<w {
                        let c = 6 * x
                        for k in 0..<3 {
                            o[3 * x + k] = UInt8((UInt16(a[c + k]) + UInt16(a[c + k + 3]) + UInt16(b[c + k]) + UInt16(b[c + k + 3]) + 2) >> 2)
                        }
                    }
                }
            }
        }
        return RGBImage(width: max(w, 1), height: max(h, 1), pixels: w * h > 0 ? out : [0, 0, 0])
    }
}
