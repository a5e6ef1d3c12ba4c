import Foundation

/// A square region of a frame turned by an angle: the crop MediaPipe's landmark models take.
public struct RotatedRect: Sendable {
    /// Centre in frame pixels.
    public var cx: Double, cy: Double
    /// Side in frame pixels.
    public var size: Double
    /// Radians, clockwise in image coordinates (y down): the crop's x axis points along (cos, sin).
    public var rotation: Double

    public init(cx: Double, cy: Double, size: Double, rotation: Double) {
        self.cx = cx; self.cy = cy; self.size = size; self.rotation = rotation
    }

    /// MediaPipe's rotation for a crop whose x axis runs from `a` to `b` (e.g. one eye to the other),
    /// normalised to [−π, π).
    public static func angle(from a: (x: Double, y: Double), to b: (x: Double, y: Double)) -> Double {
        let r = -atan2(a.y - b.y, b.x - a.x)
        return r - 2 * .pi * ((r + .pi) / (2 * .pi)).rounded(.down)
    }

    /// Frame point of a normalised crop point ((0, 0) top-left, (1, 1) bottom-right of the crop).
    @inline(__always)
    public func framePoint(_ u: Double, _ v: Double) -> (x: Double, y: Double) {
        let dx = (u - 0.5) * size, dy = (v - 0.5) * size
        let c = cos(rotation), s = sin(rotation)
        return (cx + dx * c - dy * s, cy + dx * s + dy * c)
    }
}

public enum AffineWarp {
    /// Samples `rect` of `image` into an `n`×`n` RGB float input (NHWC), bilinear, black outside the
    /// frame, writing `value · scale + offset`. With `mirror` the crop is flipped left to right.
    public static func crop(_ image: RGBImage, _ rect: RotatedRect, size n: Int, scale: Float, offset: Float,
                            mirror: Bool = false, into out: UnsafeMutablePointer<Float>) {
        let c = cos(rect.rotation), s = sin(rect.rotation)
        let step = rect.size / Double(n)
        let w = image.width, h = image.height
        // A crop that is not finite or lies absurdly far out (a damaged model's output) is all black:
        // its sample positions must never reach an integer conversion.
        let reach = abs(rect.cx) + abs(rect.cy) + abs(rect.size)
        guard reach.isFinite, reach < 1e8, c.isFinite, s.isFinite else {
            for i in 0..<(n * n * 3) { out[i] = offset }
            return
        }
        let half = rect.size / 2
        let last = n * n - 1
        image.pixels.withUnsafeBufferPointer { px in
            let raw = UnsafeRawPointer(px.baseAddress!)
            for v in 0..<n {
                let dy = (Double(v) + 0.5) * step - half
                // Pixel centres are at integer + 0.5.
                let rowX = rect.cx - dy * s - 0.5, rowY = rect.cy + dy * c - 0.5
                for u in 0..<n {
                    let uu = mirror ? n - 1 - u : u
                    let dx = (Double(uu) + 0.5) * step - half
                    let fx = rowX + dx * c, fy = rowY + dx * s
                    let x0 = Int(fx.rounded(.down)), y0 = Int(fy.rounded(.down))
                    let ax = Float(fx - Double(x0)), ay = Float(fy - Double(y0))
                    let w00 = (1 - ax) * (1 - ay), w10 = ax * (1 - ay), w01 = (1 - ax) * ay, w11 = ax * ay
                    let o = out + (v * n + u) * 3
                    if x0 >= 0 && y0 >= 0 && x0 + 2 < w && y0 + 1 < h && v * n + u != last {
                        // Inside the frame: the four neighbours' RGB (and the next pixel's red, unused) as
                        // 4-lane vectors; the fourth lane written lands on the next output pixel's red,
                        // which is written after it (the crop's last pixel goes the scalar way).
                        let p00 = (y0 * w + x0) * 3, p01 = p00 + w * 3
                        @inline(__always) func load(_ at: Int) -> SIMD4<Float> {
                            SIMD4<Float>(SIMD4<Int32>(truncatingIfNeeded: raw.loadUnaligned(fromByteOffset: at, as: SIMD4<UInt8>.self)))
                        }
                        let value = load(p00) * w00 + load(p00 + 3) * w10 + load(p01) * w01 + load(p01 + 3) * w11
                        UnsafeMutableRawPointer(o).storeBytes(of: value * scale + offset, as: SIMD4<Float>.self)
                    } else {
                        for ch in 0..<3 {
                            @inline(__always) func at(_ x: Int, _ y: Int) -> Float {
                                (x < 0 || y < 0 || x >= w || y >= h) ? 0 : Float(px[(y * w + x) * 3 + ch])
                            }
                            let value = at(x0, y0) * w00 + at(x0 + 1, y0) * w10 + at(x0, y0 + 1) * w01 + at(x0 + 1, y0 + 1) * w11
                            o[ch] = value * scale + offset
                        }
                    }
                }
            }
        }
    }
}
