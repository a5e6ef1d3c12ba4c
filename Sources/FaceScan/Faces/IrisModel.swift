import Foundation

/// MediaPipe's iris model (iris_landmark.tflite) on both eyes of a face mesh: the pupil centre, four
/// iris edge points and 71 eye-contour and brow points per eye.
public final class IrisModel {
    public static let inputSize = 64
    private let model: ModelRunner

    public init(store: ModelStore) throws {
        model = try ModelRunner(.irisLandmark, store: store)
    }

    public struct Eye: Sendable {
        /// Iris centre (the pupil), then its edge points, in frame pixels.
        public var iris: [SIMD2<Double>]
        /// Eye contour and brow points, in frame pixels (MediaPipe's order).
        public var contour: [SIMD2<Double>]
        public var pupil: SIMD2<Double> { iris[0] }
        /// Mean distance from the centre to the four edge points.
        public var irisRadius: Double {
            iris.dropFirst().map { ($0 - iris[0]).length }.reduce(0, +) / 4
        }
    }

    /// The eye on the image's left (mesh points 33 and 133) and on the image's right (362 and 263);
    /// the right one is mirrored for the model, which was trained on one side.
    public func run(_ image: RGBImage, mesh: [SIMD3<Double>]) throws -> (left: Eye, right: Eye) {
        let left = try eye(image, mesh[33], mesh[133], mirror: false)
        let right = try eye(image, mesh[362], mesh[263], mirror: true)
        return (left, right)
    }

    /// MediaPipe's eye crop: the corners' bounding box, its longer side × 2.3, turned along the corners.
    public static func roi(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> RotatedRect {
        RotatedRect(cx: (a.x + b.x) / 2, cy: (a.y + b.y) / 2, size: max(abs(a.x - b.x), abs(a.y - b.y)) * 2.3,
                    rotation: RotatedRect.angle(from: (a.x, a.y), to: (b.x, b.y)))
    }

    private func eye(_ image: RGBImage, _ a: SIMD3<Double>, _ b: SIMD3<Double>, mirror: Bool) throws -> Eye {
        let roi = Self.roi(a, b)
        let n = Self.inputSize
        let outputs = try model.run { AffineWarp.crop(image, roi, size: n, scale: 1 / 255, offset: 0, mirror: mirror, into: $0) }
        func points(_ buf: UnsafeBufferPointer<Float>, _ count: Int) -> [SIMD2<Double>] {
            (0..<count).map { i in
                var u = Double(buf[3 * i]) / Double(n)
                if mirror { u = 1 - u }
                let p = roi.framePoint(u, Double(buf[3 * i + 1]) / Double(n))
                return SIMD2(p.x, p.y)
            }
        }
        return Eye(iris: points(outputs[1], 5), contour: points(outputs[0], 71))
    }
}

extension SIMD2 where Scalar == Double {
    var length: Double { (x * x + y * y).squareRoot() }
}
