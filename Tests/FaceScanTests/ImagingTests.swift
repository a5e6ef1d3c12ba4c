import Foundation
import Testing
@testable import FaceScan

/// The image operations that feed the models: pyramid halving and the turned crop, checked against
/// their definitions (a 2×2 mean; bilinear sampling, which reproduces a linear image exactly).
@Suite struct ImagingTests {
    @Test(arguments: [(1, 1), (2, 2), (7, 5), (37, 23), (64, 9), (101, 4)])
    func aPyramidLevelIsTheRoundedMeanOfEach2x2Block(width: Int, height: Int) {
        // Widths below, at and past the 16-byte vectors, odd sizes (the last row and column are dropped).
        var rng = HostileInputTests.SplitMix(seed: UInt64(width * 1000 + height))
        let pixels = (0..<(width * height * 3)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let image = RGBImage(width: width, height: height, pixels: pixels)
        guard width >= 2, height >= 2 else { return }
        let half = ImagePyramid.halved(image)
        #expect(half.width == width / 2 && half.height == height / 2)
        for y in 0..<half.height {
            for x in 0..<half.width {
                for c in 0..<3 {
                    let at = { (px: Int, py: Int) in Int(pixels[(py * width + px) * 3 + c]) }
                    let mean = (at(2 * x, 2 * y) + at(2 * x + 1, 2 * y) + at(2 * x, 2 * y + 1) + at(2 * x + 1, 2 * y + 1) + 2) / 4
                    #expect(Int(half.pixels[(y * half.width + x) * 3 + c]) == mean, "pixel (\(x), \(y)) channel \(c)")
                }
            }
        }
    }

    /// An image whose channels are linear in x and y, so bilinear sampling at any point inside gives
    /// the linear function there.
    static let ramp: RGBImage = {
        var img = RGBImage(width: 64, height: 48)
        for y in 0..<48 { for x in 0..<64 {
            let i = (y * 64 + x) * 3
            img.pixels[i] = UInt8(3 * x); img.pixels[i + 1] = UInt8(4 * y); img.pixels[i + 2] = UInt8(40 + x + 2 * y)
        } }
        return img
    }()

    static func expected(_ x: Double, _ y: Double) -> [Double] {
        // x, y in pixel-index coordinates: pixel i's centre, at frame coordinate i + 0.5, is i.
        [3 * x, 4 * y, 40 + x + 2 * y]
    }

    @Test(arguments: [(0.0, false), (0.5, false), (-2.2, true), (3.1, true)])
    func aTurnedCropSamplesBilinearly(rotation: Double, mirror: Bool) {
        let n = 24
        let rect = RotatedRect(cx: 30.3, cy: 22.7, size: 21, rotation: rotation)
        var out = [Float](repeating: -1, count: n * n * 3)
        out.withUnsafeMutableBufferPointer {
            AffineWarp.crop(Self.ramp, rect, size: n, scale: 0.5, offset: 1, mirror: mirror, into: $0.baseAddress!)
        }
        for v in 0..<n {
            for u in 0..<n {
                let uu = mirror ? n - 1 - u : u
                let p = rect.framePoint((Double(uu) + 0.5) / Double(n), (Double(v) + 0.5) / Double(n))
                let want = Self.expected(p.x - 0.5, p.y - 0.5)
                for c in 0..<3 {
                    let got = Double(out[(v * n + u) * 3 + c])
                    #expect(abs(got - (want[c] * 0.5 + 1)) < 1e-3, "(\(u), \(v)) channel \(c)")
                }
            }
        }
    }

    @Test func aCropOverTheEdgeIsBlackOutsideAndExactInside() {
        // The crop runs past the right and bottom edges (and takes in the last row and column, where
        // a neighbour is missing and the sample blends with black).
        let n = 16
        let rect = RotatedRect(cx: 60, cy: 44, size: 16, rotation: 0)
        var out = [Float](repeating: -1, count: n * n * 3)
        out.withUnsafeMutableBufferPointer { AffineWarp.crop(Self.ramp, rect, size: n, scale: 1, offset: 0, into: $0.baseAddress!) }
        for v in 0..<n {
            for u in 0..<n {
                let x = 52.0 + Double(u), y = 36.0 + Double(v) // sample point, pixel-centre coordinates
                for c in 0..<3 {
                    let got = Double(out[(v * n + u) * 3 + c])
                    if x <= 63 && y <= 47 {
                        #expect(abs(got - Self.expected(x, y)[c]) < 1e-3, "(\(u), \(v)) channel \(c)")
                    } else {
                        #expect(got == 0, "(\(u), \(v)) channel \(c) outside the frame")
                    }
                }
            }
        }
    }
}
