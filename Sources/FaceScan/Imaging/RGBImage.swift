/// An 8-bit RGB image, rows top to bottom, 3 bytes a pixel, no row padding.
public struct RGBImage: Sendable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && pixels.count == width * height * 3, "RGBImage: pixel count does not match size")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A uniform image.
    public init(width: Int, height: Int, red: UInt8 = 0, green: UInt8 = 0, blue: UInt8 = 0) {
        self.width = width
        self.height = height
        var p = [UInt8](repeating: 0, count: width * height * 3)
        for i in stride(from: 0, to: p.count, by: 3) { p[i] = red; p[i + 1] = green; p[i + 2] = blue }
        self.pixels = p
    }

    /// The pixel at (x, y) as (r, g, b).
    public subscript(x: Int, y: Int) -> (UInt8, UInt8, UInt8) {
        let i = (y * width + x) * 3
        return (pixels[i], pixels[i + 1], pixels[i + 2])
    }

    /// This image turned clockwise by a multiple of 90 degrees.
    public func rotated(clockwise degrees: Int) -> RGBImage {
        let turns = ((degrees / 90) % 4 + 4) % 4
        if turns == 0 { return self }
        let (w, h) = (width, height)
        let (ow, oh) = turns == 2 ? (w, h) : (h, w)
        // Where pixel (x, y) lands: base + x·stepX + y·stepY (in bytes of the output).
        let (base, stepX, stepY): (Int, Int, Int)
        switch turns {
        case 1: (base, stepX, stepY) = ((h - 1) * 3, ow * 3, -3)
        case 2: (base, stepX, stepY) = (((h - 1) * ow + w - 1) * 3, -3, -ow * 3)
        default: (base, stepX, stepY) = ((w - 1) * ow * 3, -ow * 3, 3)
        }
        var out = [UInt8](repeating: 0, count: w * h * 3)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<h {
                    var d = base + y * stepY
                    var s = y * w * 3
                    for _ in 0..<w {
                        dst[d] = src[s]; dst[d + 1] = src[s + 1]; dst[d + 2] = src[s + 2]
                        d += stepX
                        s += 3
                    }
                }
            }
        }
        return RGBImage(width: ow, height: oh, pixels: out)
    }

    /// This image mirrored left to right.
    public func mirrored() -> RGBImage {
        var out = pixels
        for y in 0..<height {
            for x in 0..<width {
                let s = (y * width + x) * 3, d = (y * width + (width - 1 - x)) * 3
                out[d] = pixels[s]; out[d + 1] = pixels[s + 1]; out[d + 2] = pixels[s + 2]
            }
        }
        return RGBImage(width: width, height: height, pixels: out)
    }
}
