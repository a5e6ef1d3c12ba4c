/// Where a detector's box lies relative to the face mesh's points, so that a face the mesh follows
/// through frames without the detector keeps a box drawn as the detector draws it (BlazeFace's box is
/// tighter than the mesh: brows to chin, not forehead to chin).
///
/// Each edge is an offset from the same edge of the points' bounding box, in units of that box's width
/// (left, right) or height (top, bottom).
struct BoxOnMesh: Sendable {
    var left: Double, top: Double, right: Double, bottom: Double

    init(_ d: Detection, on points: [SIMD3<Double>]) {
        let b = Self.bounds(points)
        let w = max(b.x1 - b.x0, 1), h = max(b.y1 - b.y0, 1)
        left = (d.xmin - b.x0) / w
        right = (d.xmax - b.x1) / w
        top = (d.ymin - b.y0) / h
        bottom = (d.ymax - b.y1) / h
    }

    /// The detection this fit gives on a new mesh: the box, the six BlazeFace keypoints read off the
    /// mesh (eye centres, nose tip, mouth centre, tragions), and `score`.
    func detection(on points: [SIMD3<Double>], score: Float) -> Detection {
        let b = Self.bounds(points)
        let w = b.x1 - b.x0, h = b.y1 - b.y0
        func mid(_ i: Int, _ j: Int) -> (x: Double, y: Double) { ((points[i].x + points[j].x) / 2, (points[i].y + points[j].y) / 2) }
        // Mesh indices: eye corners 33/133 (image left) and 362/263, nose tip 1, lips 13/14, tragions 234/454.
        let keypoints = [mid(33, 133), mid(362, 263), (points[1].x, points[1].y), mid(13, 14),
                         (points[234].x, points[234].y), (points[454].x, points[454].y)]
        return Detection(xmin: b.x0 + left * w, ymin: b.y0 + top * h, xmax: b.x1 + right * w, ymax: b.y1 + bottom * h,
                         keypoints: keypoints, score: score)
    }

    private static func bounds(_ points: [SIMD3<Double>]) -> (x0: Double, y0: Double, x1: Double, y1: Double) {
        var x0 = Double.infinity, y0 = Double.infinity, x1 = -Double.infinity, y1 = -Double.infinity
        for p in points { x0 = min(x0, p.x); x1 = max(x1, p.x); y0 = min(y0, p.y); y1 = max(y1, p.y) }
        return (x0, y0, x1, y1)
    }
}
