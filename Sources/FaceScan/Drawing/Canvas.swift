/// An RGB colour.
public struct Color: Sendable, Equatable {
    public var r: UInt8, g: UInt8, b: UInt8
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) { self.r = r; self.g = g; self.b = b }

    public static let white = Color(255, 255, 255), black = Color(0, 0, 0)
    public static let gray = Color(150, 150, 150), darkGray = Color(60, 60, 60), lightGray = Color(225, 225, 225)
    /// Distinct, saturated colours (Tableau 10) for people and matches.
    public static let palette: [Color] = [
        Color(31, 119, 180), Color(255, 127, 14), Color(44, 160, 44), Color(214, 39, 40), Color(148, 103, 189),
        Color(140, 86, 75), Color(227, 119, 194), Color(188, 189, 34), Color(23, 190, 207), Color(127, 127, 127),
    ]
}

/// Drawing on an RGB image: filled and outlined rectangles, dots, other images. Coordinates are pixels;
/// whatever falls outside the image is clipped.
public struct Canvas {
    public var image: RGBImage

    public init(_ image: RGBImage) { self.image = image }

    public init(width: Int, height: Int, background: Color) {
        var px = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) { px[3 * i] = background.r; px[3 * i + 1] = background.g; px[3 * i + 2] = background.b }
        image = RGBImage(width: width, height: height, pixels: px)
    }

    public var width: Int { image.width }
    public var height: Int { image.height }

    /// Blends `color` into pixel (x, y) with opacity `alpha` (0…1).
    @inline(__always)
    public mutating func blend(_ x: Int, _ y: Int, _ color: Color, _ alpha: Float) {
        guard x >= 0, y >= 0, x < image.width, y < image.height, alpha > 0 else { return }
        let i = (y * image.width + x) * 3, a = min(alpha, 1)
        image.pixels[i] = UInt8((Float(image.pixels[i]) * (1 - a) + Float(color.r) * a).rounded())
        image.pixels[i + 1] = UInt8((Float(image.pixels[i + 1]) * (1 - a) + Float(color.g) * a).rounded())
        image.pixels[i + 2] = UInt8((Float(image.pixels[i + 2]) * (1 - a) + Float(color.b) * a).rounded())
    }

    /// Fills the rectangle [x0, x1) × [y0, y1).
    public mutating func fill(x0: Int, y0: Int, x1: Int, y1: Int, _ color: Color, alpha: Float = 1) {
        let xa = max(0, x0), xb = min(image.width, x1), ya = max(0, y0), yb = min(image.height, y1)
        guard xa < xb, ya < yb else { return }
        for y in ya..<yb { for x in xa..<xb { blend(x, y, color, alpha) } }
    }

    /// The outline of a rectangle, `thickness` pixels wide, inside the given edges.
    public mutating func stroke(x0: Int, y0: Int, x1: Int, y1: Int, _ color: Color, thickness t: Int) {
        fill(x0: x0, y0: y0, x1: x1, y1: y0 + t, color)
        fill(x0: x0, y0: y1 - t, x1: x1, y1: y1, color)
        fill(x0: x0, y0: y0, x1: x0 + t, y1: y1, color)
        fill(x0: x1 - t, y0: y0, x1: x1, y1: y1, color)
    }

    /// A filled disc of radius `r` (anti-aliased edge) with a 1-pixel dark rim, for landmarks.
    public mutating func dot(_ cx: Double, _ cy: Double, radius r: Double, _ color: Color) {
        let x0 = Int((cx - r - 2).rounded(.down)), x1 = Int((cx + r + 2).rounded(.up))
        let y0 = Int((cy - r - 2).rounded(.down)), y1 = Int((cy + r + 2).rounded(.up))
        guard x1 >= 0, y1 >= 0, x0 < image.width, y0 < image.height else { return }
        for y in max(0, y0)...min(image.height - 1, y1) {
            for x in max(0, x0)...min(image.width - 1, x1) {
                let d = ((Double(x) + 0.5 - cx) * (Double(x) + 0.5 - cx) + (Double(y) + 0.5 - cy) * (Double(y) + 0.5 - cy)).squareRoot()
                blend(x, y, .black, Float(min(1, max(0, r + 1.5 - d))) * 0.6)
                blend(x, y, color, Float(min(1, max(0, r + 0.5 - d))))
            }
        }
    }

    /// Draws `source` scaled into the rectangle at (x, y) of `width` × `height` (bilinear).
    public mutating func draw(_ source: RGBImage, region: PixelRect, x: Int, y: Int, width: Int, height: Int) {
        var floats = [Float](repeating: 0, count: width * height * 3)
        floats.withUnsafeMutableBufferPointer { Resample.stretch(source, region: region, width: width, height: height, into: $0.baseAddress!) }
        for v in 0..<height {
            for u in 0..<width {
                let px = x + u, py = y + v
                guard px >= 0, py >= 0, px < image.width, py < image.height else { continue }
                let s = (v * width + u) * 3, d = (py * image.width + px) * 3
                for c in 0..<3 { image.pixels[d + c] = UInt8(max(0, min(255, floats[s + c].rounded()))) }
            }
        }
    }
}
