import Foundation
import Testing
@testable import FaceScan

/// The geometry and image pieces of face alignment on their own: the similarity fit, dlib's
/// pyramid_down<2>, the chip's plain-copy path and faces outside the image.
@Suite("face chips: similarity fit, pyramid, extraction edge cases")
struct FaceChipTests {
    static func random(_ n: Int, seed: UInt32) -> [Double] { NeuralNetTestSupport.noise(n, seed: seed).map(Double.init) }

    typealias Point = (x: Double, y: Double)

    static func points(_ r: [Double], scale: Double) -> [Point] {
        (0..<5).map { i -> Point in (x: r[2 * i] * scale, y: r[2 * i + 1] * scale) }
    }

    @Test("the similarity fit recovers a rotation, scale and translation exactly", arguments: [0.0, 0.3, -2.5, 3.1])
    func similarityRecovers(_ angle: Double) {
        let from = Self.points(Self.random(10, seed: 7), scale: 50)
        let s = 1.7, tx = 12.5, ty = -40.25
        let c = s * cos(angle), sn = s * sin(angle)
        let to = from.map { p -> Point in
            let x: Double = c * p.x - sn * p.y + tx
            let y: Double = sn * p.x + c * p.y + ty
            return (x: x, y: y)
        }
        let t = PointTransform.similarity(from: from, to: to)
        #expect(abs(t.m00 - c) < 1e-12 && abs(t.m10 - sn) < 1e-12)
        #expect(abs(t.m01 + t.m10) < 1e-12 && abs(t.m11 - t.m00) < 1e-12)
        #expect(abs(t.tx - tx) < 1e-9 && abs(t.ty - ty) < 1e-9)
    }

    @Test("the fit minimises the squared error: no nearby similarity does better, and it never reflects")
    func similarityIsLeastSquares() {
        let r = Self.random(20, seed: 11)
        let from = Self.points(r, scale: 10)
        // Mirrored and noisy targets: the best similarity (no reflection) is still a rotation.
        let to = (0..<5).map { i -> Point in (x: -from[i].x + r[10 + 2 * i], y: from[i].y + r[11 + 2 * i]) }
        let t = PointTransform.similarity(from: from, to: to)
        func cost(_ a: Double, _ b: Double, _ tx: Double, _ ty: Double) -> Double {
            var total = 0.0
            for i in 0..<5 {
                let x: Double = a * from[i].x - b * from[i].y + tx - to[i].x
                let y: Double = b * from[i].x + a * from[i].y + ty - to[i].y
                total += x * x + y * y
            }
            return total
        }
        let best = cost(t.m00, t.m10, t.tx, t.ty)
        let steps: [[Double]] = [[1e-3, 0, 0, 0], [0, 1e-3, 0, 0], [0, 0, 1e-3, 0], [0, 0, 0, 1e-3], [-1e-3, 0, 0, 0], [0, -1e-3, 0, 0]]
        for d in steps {
            #expect(cost(t.m00 + d[0], t.m10 + d[1], t.tx + d[2], t.ty + d[3]) >= best)
        }
        #expect(t.m00 * t.m11 - t.m01 * t.m10 >= 0)
        let degenerate = PointTransform.similarity(from: [(x: 1, y: 1), (x: 1, y: 1)], to: [(x: 3, y: 4), (x: 5, y: 6)])
        #expect(degenerate.m00 == 1 && degenerate.m01 == 0 && degenerate.m10 == 0 && degenerate.m11 == 1)
        #expect(degenerate.tx == 3 && degenerate.ty == 4)
    }

    @Test("pyramid_down<2>: sizes, a flat image stays flat, one bright pixel spreads as [1 4 6 4 1]²/256")
    func pyramid() {
        #expect(PyramidImage(width: 8, height: 20, pixels: [UInt8](repeating: 9, count: 8 * 20 * 3)).pyramidDown().width == 0)
        let flat = PyramidImage(width: 21, height: 12, pixels: [UInt8](repeating: 200, count: 21 * 12 * 3)).pyramidDown()
        #expect(flat.width == 9 && flat.height == 4 && flat.pixels.allSatisfy { $0 == 200 })
        var px = [UInt8](repeating: 0, count: 15 * 15 * 3)
        px[(6 * 15 + 6) * 3] = 255  // red at (6, 6): output (2, 2) sits over input (6, 6)
        let down = PyramidImage(width: 15, height: 15, pixels: px).pyramidDown()
        #expect(down.width == 6 && down.height == 6)
        func red(_ x: Int, _ y: Int) -> Int { Int(down.pixels[(y * 6 + x) * 3]) }
        #expect(red(2, 2) == 255 * 36 / 256 && red(3, 2) == 255 * 6 / 256 && red(2, 3) == 255 * 6 / 256 && red(3, 3) == 255 / 256)
        #expect(down.pixels.enumerated().allSatisfy { $0.offset % 3 == 0 || $0.element == 0 })
    }

    @Test("a chip neither turned nor scaled is a copy of its rectangle, black outside the image")
    func plainCopy() {
        let image = RGBImage(width: 20, height: 10, pixels: (0..<600).map { UInt8($0 % 251) })
        let d = FaceChipDetails(left: 15, top: -2, right: 18, bottom: 1, angle: 0, size: 4)
        let chip = FaceChipExtractor.extract(image, d)
        for y in 0..<4 {
            for x in 0..<4 {
                let sx = 15 + x, sy = -2 + y
                let inside = sx < 20 && sy >= 0
                for c in 0..<3 {
                    #expect(chip.pixels[(y * 4 + x) * 3 + c] == (inside ? image.pixels[(sy * 20 + sx) * 3 + c] : 0))
                }
            }
        }
    }

    @Test("landmarks outside the image give a black chip; degenerate landmarks do not trap")
    func outside() {
        let image = RGBImage(width: 64, height: 48, red: 200, green: 100, blue: 50)
        let far: [Point] = [(5000, 5000), (5030, 5000), (5100, 5000), (5070, 5000), (5050, 5050)]
        let chip = FaceChipExtractor.extract(image, FaceChipExtractor.details(landmarks: far))
        #expect(chip.width == 150 && chip.pixels.allSatisfy { $0 == 0 })
        let same: [Point] = [(10, 10), (10, 10), (10, 10), (10, 10), (10, 10)]
        _ = FaceChipExtractor.extract(image, FaceChipExtractor.details(landmarks: same))
        let spread: [Point] = [(1e7, 0), (-1e7, 0), (0, 1e7), (0, -1e7), (3, 3)]
        let huge = FaceChipExtractor.details(landmarks: spread)
        #expect(FaceChipExtractor.extract(image, huge).width == 150)
    }
}
