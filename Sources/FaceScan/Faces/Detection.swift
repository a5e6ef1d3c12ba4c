/// A face found by the detector, in frame pixels.
public struct Detection: Sendable {
    public var xmin: Double, ymin: Double, xmax: Double, ymax: Double
    /// BlazeFace's six keypoints in MediaPipe's order: the eye on the image's left, the eye on the
    /// image's right, nose tip, mouth centre, left and right ear tragion (image left/right).
    public var keypoints: [(x: Double, y: Double)]
    /// Probability in [0, 1].
    public var score: Float
    /// MTCNN's probability when MTCNN found this face too (or only MTCNN did), else nil.
    public var crowdScore: Float? = nil
    /// True when only MTCNN found this face (then `score` is MTCNN's probability).
    public var crowdOnly = false

    public init(xmin: Double, ymin: Double, xmax: Double, ymax: Double, keypoints: [(x: Double, y: Double)], score: Float) {
        self.xmin = xmin; self.ymin = ymin; self.xmax = xmax; self.ymax = ymax
        self.keypoints = keypoints
        self.score = score
    }

    public var width: Double { xmax - xmin }
    public var height: Double { ymax - ymin }
    public var area: Double { max(0, width) * max(0, height) }
    /// The box as a pixel rectangle.
    public var rect: PixelRect { PixelRect(x: xmin, y: ymin, width: width, height: height) }

    /// True when the two boxes overlap by more than `threshold` IoU, or one lies mostly (more than
    /// `containment` of its area) inside the other: the same face seen twice.
    public func overlaps(_ other: Detection, threshold: Double = 0.3, containment: Double = 0.6) -> Bool {
        let ix = max(0, min(xmax, other.xmax) - max(xmin, other.xmin))
        let iy = max(0, min(ymax, other.ymax) - max(ymin, other.ymin))
        return iou(other) > threshold || ix * iy > containment * min(area, other.area)
    }

    /// Intersection over union of two boxes.
    public func iou(_ other: Detection) -> Double {
        let ix = max(0, min(xmax, other.xmax) - max(xmin, other.xmin))
        let iy = max(0, min(ymax, other.ymax) - max(ymin, other.ymin))
        let inter = ix * iy
        let union = area + other.area - inter
        return union > 0 ? inter / union : 0
    }
}

/// MediaPipe's weighted ("blending") non-maximum suppression: the best remaining detection and every
/// other one overlapping it by more than `threshold` IoU are averaged, weighted by score, into one
/// detection that keeps the best score.
public func weightedNonMaxSuppression(_ detections: [Detection], threshold: Double = 0.3) -> [Detection] {
    var remaining = detections.sorted { $0.score > $1.score }
    var out: [Detection] = []
    while let best = remaining.first {
        var cluster: [Detection] = []
        var rest: [Detection] = []
        for d in remaining {
            if best.iou(d) > threshold || cluster.isEmpty { cluster.append(d) } else { rest.append(d) }
        }
        remaining = rest
        var total = 0.0
        var x0 = 0.0, y0 = 0.0, x1 = 0.0, y1 = 0.0
        var kps = [(x: Double, y: Double)](repeating: (0, 0), count: best.keypoints.count)
        for d in cluster {
            let w = Double(d.score)
            total += w
            x0 += w * d.xmin; y0 += w * d.ymin; x1 += w * d.xmax; y1 += w * d.ymax
            for k in 0..<min(kps.count, d.keypoints.count) {
                kps[k].x += w * d.keypoints[k].x; kps[k].y += w * d.keypoints[k].y
            }
        }
        out.append(Detection(xmin: x0 / total, ymin: y0 / total, xmax: x1 / total, ymax: y1 / total,
                             keypoints: kps.map { ($0.x / total, $0.y / total) }, score: best.score))
    }
    return out
}

/// Drops every detection that overlaps a higher-scoring one by more than `threshold` IoU, or lies mostly
/// (more than `containment` of its area) inside it. Weighted NMS averages clusters but can leave two
/// averaged boxes overlapping when the same face was seen at two scales; this pass removes the weaker.
public func suppressOverlaps(_ detections: [Detection], threshold: Double = 0.3, containment: Double = 0.6) -> [Detection] {
    var kept: [Detection] = []
    for d in detections.sorted(by: { $0.score > $1.score }) {
        if !kept.contains(where: { $0.overlaps(d, threshold: threshold, containment: containment) }) { kept.append(d) }
    }
    return kept
}
