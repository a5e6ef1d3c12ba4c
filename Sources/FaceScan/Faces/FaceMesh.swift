import Foundation

/// MediaPipe's face mesh (face_landmark.tflite): 468 points in 3-D and a face-presence score for a
/// face found by the detector.
public final class FaceMesh {
    public static let inputSize = 192
    private let model: ModelRunner

    public init(store: ModelStore) throws {
        model = try ModelRunner(.faceLandmark, store: store)
    }

    public struct Result: Sendable {
        /// Points in frame pixels; z in the same scale as x (larger z is farther from the camera,
        /// relative to the face's centre).
        public var points: [SIMD3<Double>]
        /// Probability in [0, 1] that the crop holds a face.
        public var presence: Float
        public var roi: RotatedRect
    }

    /// MediaPipe's crop for a detection: centred on the box, 1.5 times its longer side, turned so
    /// that the eyes (keypoints 0 and 1) are level.
    public static func roi(for d: Detection) -> RotatedRect {
        RotatedRect(cx: (d.xmin + d.xmax) / 2, cy: (d.ymin + d.ymax) / 2, size: max(d.width, d.height) * 1.5,
                    rotation: RotatedRect.angle(from: d.keypoints[0], to: d.keypoints[1]))
    }

    /// MediaPipe's crop for a face already meshed: centred on the points' bounding box, 1.5 times its
    /// longer side, turned so that the eye corners 33 and 263 are level. Running the mesh again on this
    /// crop corrects a rough crop from the detector's keypoints (faces turned in the image plane).
    public static func roi(for points: [SIMD3<Double>]) -> RotatedRect {
        var x0 = Double.infinity, y0 = Double.infinity, x1 = -Double.infinity, y1 = -Double.infinity
        for p in points { x0 = min(x0, p.x); x1 = max(x1, p.x); y0 = min(y0, p.y); y1 = max(y1, p.y) }
        let rotation = RotatedRect.angle(from: (points[33].x, points[33].y), to: (points[263].x, points[263].y))
        // The box of the points turned into the face's frame, so its size does not grow with roll.
        let c = cos(rotation), s = sin(rotation)
        var u0 = Double.infinity, u1 = -Double.infinity, v0 = Double.infinity, v1 = -Double.infinity
        for p in points {
            let u = p.x * c + p.y * s, v = -p.x * s + p.y * c
            u0 = min(u0, u); u1 = max(u1, u); v0 = min(v0, v); v1 = max(v1, v)
        }
        let cu = (u0 + u1) / 2, cv = (v0 + v1) / 2
        return RotatedRect(cx: cu * c - cv * s, cy: cu * s + cv * c, size: max(u1 - u0, v1 - v0) * 1.5, rotation: rotation)
    }

    /// Runs the mesh on `roi` of `image`.
    public func run(_ image: RGBImage, roi: RotatedRect) throws -> Result {
        let n = Self.inputSize
        let outputs = try model.run { AffineWarp.crop(image, roi, size: n, scale: 1 / 255, offset: 0, into: $0) }
        let raw = outputs[0], logit = outputs[1][0]
        var points: [SIMD3<Double>] = []
        points.reserveCapacity(468)
        for i in 0..<468 {
            let u = Double(raw[3 * i]) / Double(n), v = Double(raw[3 * i + 1]) / Double(n)
            let p = roi.framePoint(u, v)
            points.append(SIMD3(p.x, p.y, Double(raw[3 * i + 2]) / Double(n) * roi.size))
        }
        return Result(points: points, presence: 1 / (1 + exp(-min(max(logit, -80), 80))), roi: roi)
    }
}
