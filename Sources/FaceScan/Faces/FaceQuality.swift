import Foundation

/// Brightness and Sharpness of a face region, both in [0, 100].
///
/// - **Brightness** is the mean luma (BT.601: 0.299 R + 0.587 G + 0.114 B) of the face box's pixels, as a
///   percentage of 255.
/// - **Sharpness** measures fine detail independently of the face's size: the face box is resampled
///   (area-averaged) to 64×64 grey levels, the mean square of its 3×3 Laplacian L is taken, and
///   Sharpness = 100 · (1 − exp(−L / 300)). A blurred copy of a face has less high-frequency energy and
///   so scores strictly lower; a flat region scores 0. The constant 300 puts well-focused faces of the
///   sample videos around 60–90.
public enum FaceQuality {
    static let side = 64
    static let sharpnessScale = 300.0

    public static func measure(_ image: RGBImage, box: PixelRect) -> (brightness: Double, sharpness: Double) {
        // Only a finite box within reach of the frame is converted to pixel indices.
        let reach = abs(box.x) + abs(box.y) + abs(box.width) + abs(box.height)
        guard reach.isFinite, reach < 1e8 else { return (0, 0) }
        let x0 = max(0, Int(box.x.rounded(.down))), y0 = max(0, Int(box.y.rounded(.down)))
        let x1 = min(image.width, Int((box.x + box.width).rounded(.up))), y1 = min(image.height, Int((box.y + box.height).rounded(.up)))
        guard x1 > x0, y1 > y0 else { return (0, 0) }
        var sum = 0.0
        image.pixels.withUnsafeBufferPointer { p in
            for y in y0..<y1 {
                for x in x0..<x1 {
                    let i = (y * image.width + x) * 3
                    sum += 0.299 * Double(p[i]) + 0.587 * Double(p[i + 1]) + 0.114 * Double(p[i + 2])
                }
            }
        }
        let brightness = sum / Double((x1 - x0) * (y1 - y0)) / 255 * 100

        let n = side
        var rgb = [Float](repeating: 0, count: n * n * 3)
        let region = PixelRect(x: Double(x0), y: Double(y0), width: Double(x1 - x0), height: Double(y1 - y0))
        rgb.withUnsafeMutableBufferPointer { out in
            Resample.stretch(image, region: region, width: n, height: n, into: out.baseAddress!)
        }
        var gray = [Double](repeating: 0, count: n * n)
        for i in 0..<(n * n) { gray[i] = 0.299 * Double(rgb[3 * i]) + 0.587 * Double(rgb[3 * i + 1]) + 0.114 * Double(rgb[3 * i + 2]) }
        var energy = 0.0
        for y in 1..<(n - 1) {
            for x in 1..<(n - 1) {
                let c = gray[y * n + x]
                let l = gray[(y - 1) * n + x] + gray[(y + 1) * n + x] + gray[y * n + x - 1] + gray[y * n + x + 1] - 4 * c
                energy += l * l
            }
        }
        energy /= Double((n - 2) * (n - 2))
        let sharpness = 100 * (1 - exp(-energy / sharpnessScale))
        return (min(100, max(0, brightness)), min(100, max(0, sharpness)))
    }
}
