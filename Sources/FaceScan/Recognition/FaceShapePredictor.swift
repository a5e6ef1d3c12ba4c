import Foundation

/// dlib's face landmark shape predictor (an ensemble of regression trees, Kazemi & Sullivan 2014) run
/// exactly as dlib's `shape_predictor::operator()` runs it, on a `DlibShapePredictorModel`:
///
/// the shape starts as the model's mean shape; at each cascade level a least-squares similarity
/// transform from the mean shape to the current shape (its 2×2 part, in float) turns every feature
/// pixel's offset from its anchor landmark, the result is mapped from the box-normalised frame to the
/// image through the rectangle ((0, 0) → (left, top), (1, 1) → (right, bottom)) and rounded to the
/// nearest pixel; its intensity is (r + g + b) / 3 in integers, 0 outside the image. Each tree then goes
/// left while `f[idx1] − f[idx2] > threshold`, and its leaf vector is added to the shape. The final
/// shape is mapped through the rectangle and rounded to whole pixels, as dlib's `point` does.
///
/// Immutable after loading: one instance may be shared between threads.
final class FaceShapePredictor: Sendable {
    let model: DlibShapePredictorModel

    init(model: DlibShapePredictorModel) {
        self.model = model
    }

    /// Loads `shape_predictor_5_face_landmarks.dat` (or any dlib shape predictor) from its bytes.
    convenience init(bytes: [UInt8], name: String) throws {
        self.init(model: try DlibShapePredictorModel(bytes: bytes, file: name))
    }

    /// The landmarks of the face in `rect`, in whole pixels (dlib's part order: for the 5-point model the
    /// outer and inner corner of the eye on the image's right, then of the eye on the image's left, then
    /// the bottom of the nose).
    func predict(_ image: RGBImage, rect: DlibRectangle) -> [(x: Int, y: Int)] {
        let parts = model.parts
        var current = model.initialShape
        let mean = (0..<parts).map { (x: Double(model.initialShape[2 * $0]), y: Double(model.initialShape[2 * $0 + 1])) }
        // unnormalizing_tform(rect): (0,0) → (left, top), (1,0) → (right, top), (1,1) → (right, bottom).
        let l = Double(rect.left), t = Double(rect.top)
        let sx = Double(rect.right - rect.left), sy = Double(rect.bottom - rect.top)
        let w = image.width, h = image.height
        var features: [Float] = []
        image.pixels.withUnsafeBufferPointer { px in
            for level in model.levels {
                let shape = (0..<parts).map { (x: Double(current[2 * $0]), y: Double(current[2 * $0 + 1])) }
                let m = PointTransform.similarity(from: mean, to: shape)
                let a = Float(m.m00), b = Float(m.m01), c = Float(m.m10), d = Float(m.m11)
                let n = level.deltas.count
                if features.count != n { features = [Float](repeating: 0, count: n) }
                for i in 0..<n {
                    let delta = level.deltas[i]
                    let anchor = Int(level.anchors[i])
                    // In float, as dlib: tform * delta + location(current, anchor).
                    let nx = (a * delta.x + b * delta.y) + current[2 * anchor]
                    let ny = (c * delta.x + d * delta.y) + current[2 * anchor + 1]
                    let x = (l + sx * Double(nx) + 0.5).rounded(.down)
                    let y = (t + sy * Double(ny) + 0.5).rounded(.down)
                    if x >= 0, y >= 0, x < Double(w), y < Double(h) {
                        let o = (Int(y) * w + Int(x)) * 3
                        features[i] = Float((Int(px[o]) + Int(px[o + 1]) + Int(px[o + 2])) / 3)
                    } else {
                        features[i] = 0
                    }
                }
                level.leafValues.withUnsafeBufferPointer { leaves in
                    for tree in level.trees {
                        var node = 0
                        while node < tree.splitCount {
                            let s = tree.firstSplit + node
                            let diff = features[Int(level.idx1[s])] - features[Int(level.idx2[s])]
                            node = diff > level.thresholds[s] ? 2 * node + 1 : 2 * node + 2
                        }
                        let leaf = tree.firstLeaf + (node - tree.splitCount) * 2 * parts
                        for k in 0..<(2 * parts) { current[k] += leaves[leaf + k] }
                    }
                }
            }
        }
        return (0..<parts).map { i in
            (FaceShapePredictor.pixel(l + sx * Double(current[2 * i])), FaceShapePredictor.pixel(t + sy * Double(current[2 * i + 1])))
        }
    }

    /// `floor(v + 0.5)` as an integer (dlib's conversion of a point to whole pixels), clamped to ±10⁹ so
    /// that no model or rectangle can make the conversion trap.
    static func pixel(_ v: Double) -> Int {
        let r = (v + 0.5).rounded(.down)
        return r.isNaN ? 0 : Int(min(max(r, -1e9), 1e9))
    }
}
