import Foundation

/// Where an aligned face chip lies in the image: dlib's `chip_details` — a rectangle (real corners,
/// dlib's `drectangle`, whose width is `right − left + 1`) turned by `angle` radians about its centre,
/// sampled into `size`×`size` pixels.
public struct FaceChipDetails: Sendable, Equatable {
    /// The rectangle's corners in image pixels before it is turned (chip pixel (0, 0) samples the turned
    /// top-left corner, (size − 1, size − 1) the turned bottom-right one).
    public var left: Double, top: Double, right: Double, bottom: Double
    /// Radians, clockwise in image coordinates (y down), about the rectangle's centre.
    public var angle: Double
    /// The chip's side in pixels.
    public var size: Int

    public init(left: Double, top: Double, right: Double, bottom: Double, angle: Double, size: Int) {
        self.left = left; self.top = top; self.right = right; self.bottom = bottom
        self.angle = angle
        self.size = size
    }
}

/// dlib's face alignment for its face recognition network: `get_face_chip_details(shape, size, padding)`
/// and `extract_image_chip` (`dlib/image_transforms/interpolation.h`), reproduced step by step.
///
/// **Details.** dlib's 5-point template (the mean positions of the five landmarks in a unit square),
/// padded as `(padding + p) / (2·padding + 1)` and scaled by `size`, is fitted to the five landmarks with
/// a least-squares similarity transform T. The chip's angle is that of T·(1, 0), its scale `s` the
/// length of T·(1, 0), and its rectangle is centred on T(size/2, size/2) with sides `size·s − 1`
/// between corners.
///
/// **Extraction.** The chip's three corners (0, 0), (size−1, 0), (0, size−1) are mapped onto the turned
/// rectangle's top-left, top-right and bottom-left corners, and every chip pixel is sampled bilinearly
/// (in double, truncated to 8 bits; a sample whose 2×2 neighbourhood leaves the source is black). The
/// source is the part of the image inside the turned rectangle's bounding box grown by a margin. When
/// the rectangle is more than about twice the chip's size, dlib first shrinks that part with its
/// `pyramid_down<2>` (a 5×5 [1 4 6 4 1]² / 256 filter in integers, keeping every other pixel) as many
/// times as needed — each level grows the margin to 2·margin + 2 — and samples the last level through
/// the pyramid's own coordinate map (x/2 − 1.25, y/2 − 0.75). A chip that is neither turned nor scaled
/// is a plain copy.
enum FaceChipExtractor {
    /// dlib's 5-point template, in dlib's part order (see `FaceShapePredictor.predict`).
    static let template: [(x: Double, y: Double)] = [
        (0.8595674595992, 0.2134981538014), (0.6460604764104, 0.2289674387677),
        (0.1205750620789, 0.2137274526848), (0.3340850613712, 0.2290642403242),
        (0.4901123135679, 0.6277975316475),
    ]

    /// dlib's `get_face_chip_details` for a 5-point shape.
    static func details(landmarks: [(x: Double, y: Double)], size: Int = 150, padding: Double = 0.25) -> FaceChipDetails {
        precondition(landmarks.count == 5 && size > 0 && padding >= 0, "face chip: 5 landmarks, a positive size")
        let from = template.map { p in
            (x: (padding + p.x) / (2 * padding + 1) * Double(size), y: (padding + p.y) / (2 * padding + 1) * Double(size))
        }
        let t = PointTransform.similarity(from: from, to: landmarks)
        let vx = t.m00, vy = t.m10  // T's linear part applied to (1, 0)
        let angle = atan2(vy, vx)
        let scale = (vx * vx + vy * vy).squareRoot()
        let c = t.apply(Double(size) / 2, Double(size) / 2)
        // centered_drect(c, size·scale, size·scale): corners (size·scale − 1) apart.
        let half = (Double(size) * scale - 1) / 2
        return FaceChipDetails(left: c.x - half, top: c.y - half, right: c.x + half, bottom: c.y + half,
                               angle: angle, size: size)
    }

    /// A real rectangle (dlib's `drectangle`): corners inclusive, width `right − left + 1`.
    struct Rect {
        var l: Double, t: Double, r: Double, b: Double
        var isEmpty: Bool { t > b || l > r }
        var area: Double { isEmpty ? 0 : (r - l + 1) * (b - t + 1) }
        var center: (x: Double, y: Double) { ((l + r) / 2, (t + b) / 2) }
        /// `pyramid_down<2>::rect_down`: each corner p ↦ p/2 − (1.25, 0.75).
        var down: Rect { Rect(l: l / 2 - 1.25, t: t / 2 - 0.75, r: r / 2 - 1.25, b: b / 2 - 0.75) }
        func rotated(_ p: (x: Double, y: Double), _ angle: Double) -> (x: Double, y: Double) {
            let c = center, s = sin(angle), co = cos(angle)
            let dx = p.x - c.x, dy = p.y - c.y
            return (co * dx - s * dy + c.x, s * dx + co * dy + c.y)
        }
    }

    /// Integer rectangle (dlib's `rectangle`), inclusive corners; from a real one by `lround`.
    struct IntRect {
        var l: Int, t: Int, r: Int, b: Int
        var isEmpty: Bool { t > b || l > r }
        var width: Int { isEmpty ? 0 : r - l + 1 }
        var height: Int { isEmpty ? 0 : b - t + 1 }
        init(l: Int, t: Int, r: Int, b: Int) { self.l = l; self.t = t; self.r = r; self.b = b }
        init(_ d: Rect) {
            func lround(_ v: Double) -> Int { v.isNaN ? 0 : Int(min(max(v.rounded(.toNearestOrAwayFromZero), -1e9), 1e9)) }
            self.init(l: lround(d.l), t: lround(d.t), r: lround(d.r), b: lround(d.b))
        }
    }

    /// dlib's `extract_image_chip(img, details, chip)` with bilinear interpolation.
    static func extract(_ image: RGBImage, _ details: FaceChipDetails) -> RGBImage {
        let size = details.size
        let rect = Rect(l: details.left, t: details.top, r: details.right, b: details.bottom)
        var out = [UInt8](repeating: 0, count: size * size * 3)
        // Neither turned nor scaled: a copy (dlib's basic_extract_image_chip).
        if details.angle == 0, Double(size) == rect.b - rect.t + 1, Double(size) == rect.r - rect.l + 1 {
            let loc = IntRect(rect)
            for y in 0..<size {
                let sy = loc.t + y
                guard sy >= 0, sy < image.height else { continue }
                for x in 0..<size {
                    let sx = loc.l + x
                    guard sx >= 0, sx < image.width else { continue }
                    for ch in 0..<3 { out[(y * size + x) * 3 + ch] = image.pixels[(sy * image.width + sx) * 3 + ch] }
                }
            }
            return RGBImage(width: size, height: size, pixels: out)
        }
        let chipArea = Double(size * size)
        // Pyramid depth and the margin around the turned rectangle.
        var depth = 0, grow = 2.0
        var probe = rect.down
        while probe.area > chipArea && depth < 30 {
            probe = probe.down
            depth += 1
            grow = grow * 2 + 2
        }
        var box = Rect(l: .infinity, t: .infinity, r: -.infinity, b: -.infinity)
        for corner in [(rect.l, rect.t), (rect.r, rect.t), (rect.l, rect.b), (rect.r, rect.b)] {
            let p = rect.rotated((corner.0, corner.1), details.angle)
            box.l = min(box.l, p.x); box.t = min(box.t, p.y); box.r = max(box.r, p.x); box.b = max(box.b, p.y)
        }
        let grown = Rect(l: max(box.l - grow, 0), t: max(box.t - grow, 0),
                         r: min(box.r + grow, Double(image.width - 1)), b: min(box.b + grow, Double(image.height - 1)))
        let bounds = IntRect(grown)
        // The source: the bounding box's pixels (nothing if it is empty), shrunk `depth` times.
        var source = bounds.isEmpty ? PyramidImage(width: 0, height: 0, pixels: [])
            : PyramidImage(image, bounds.l, bounds.t, bounds.width, bounds.height)
        var local = Rect(l: rect.l - Double(bounds.isEmpty ? 0 : bounds.l), t: rect.t - Double(bounds.isEmpty ? 0 : bounds.t),
                         r: rect.r - Double(bounds.isEmpty ? 0 : bounds.l), b: rect.b - Double(bounds.isEmpty ? 0 : bounds.t))
        var level = -1
        while local.down.area > chipArea && level < depth - 1 {
            level += 1
            local = local.down
        }
        if level >= 0 { for _ in 0...level { source = source.pyramidDown() } }
        // Chip (0,0), (size−1,0), (0,size−1) → the turned rectangle's tl, tr, bl.
        let o = local.rotated((local.l, local.t), details.angle)
        let tr = local.rotated((local.r, local.t), details.angle)
        let bl = local.rotated((local.l, local.b), details.angle)
        let n1 = Double(max(size - 1, 1))
        let ex = ((tr.x - o.x) / n1, (tr.y - o.y) / n1)
        let ey = ((bl.x - o.x) / n1, (bl.y - o.y) / n1)
        let sw = source.width, sh = source.height
        source.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for r in 0..<size {
                    for c in 0..<size {
                        let x = o.x + Double(c) * ex.0 + Double(r) * ey.0
                        let y = o.y + Double(c) * ex.1 + Double(r) * ey.1
                        let fx = x.rounded(.down), fy = y.rounded(.down)
                        guard fx >= 0, fy >= 0, fx + 1 < Double(sw), fy + 1 < Double(sh) else { continue }
                        let left = Int(fx), top = Int(fy)
                        let lr = x - fx, tb = y - fy
                        let p00 = (top * sw + left) * 3, p01 = p00 + 3, p10 = p00 + sw * 3, p11 = p10 + 3
                        let d = (r * size + c) * 3
                        for ch in 0..<3 {
                            let v = (1 - tb) * ((1 - lr) * Double(src[p00 + ch]) + lr * Double(src[p01 + ch]))
                                + tb * ((1 - lr) * Double(src[p10 + ch]) + lr * Double(src[p11 + ch]))
                            dst[d + ch] = UInt8(min(max(v, 0), 255))
                        }
                    }
                }
            }
        }
        return RGBImage(width: size, height: size, pixels: out)
    }
}

/// An RGB image that may be empty (pyramid levels can be), for chip extraction.
struct PyramidImage {
    var width: Int, height: Int
    var pixels: [UInt8]

    init(width: Int, height: Int, pixels: [UInt8]) {
        self.width = width; self.height = height; self.pixels = pixels
    }

    /// The `w`×`h` region of `image` at (x, y) (inside the image).
    init(_ image: RGBImage, _ x: Int, _ y: Int, _ w: Int, _ h: Int) {
        width = w; height = h
        pixels = [UInt8](repeating: 0, count: w * h * 3)
        for row in 0..<h {
            let s = ((y + row) * image.width + x) * 3
            pixels.replaceSubrange((row * w * 3)..<((row + 1) * w * 3), with: image.pixels[s..<(s + w * 3)])
        }
    }

    /// dlib's `pyramid_down<2>` for RGB images: rows filtered with [1 4 6 4 1] at every other column
    /// starting at 0, then columns with the same taps at every other row starting at row 2, the sum
    /// divided by 256 (integer division; the sums fit dlib's 16-bit accumulators). The result is
    /// `(h − 3)/2 × (w − 3)/2`, empty when either side is 8 or less.
    func pyramidDown() -> PyramidImage {
        guard width > 8, height > 8 else { return PyramidImage(width: 0, height: 0, pixels: []) }
        let ow = (width - 3) / 2, oh = (height - 3) / 2
        var rowsFiltered = [UInt16](repeating: 0, count: height * ow * 3)
        pixels.withUnsafeBufferPointer { p in
            rowsFiltered.withUnsafeMutableBufferPointer { t in
                for r in 0..<height {
                    for c in 0..<ow {
                        let s = (r * width + 2 * c) * 3
                        for ch in 0..<3 {
                            let v = UInt16(p[s + ch]) + 4 * UInt16(p[s + 3 + ch]) + 6 * UInt16(p[s + 6 + ch])
                                + 4 * UInt16(p[s + 9 + ch]) + UInt16(p[s + 12 + ch])
                            t[(r * ow + c) * 3 + ch] = v
                        }
                    }
                }
            }
        }
        var out = [UInt8](repeating: 0, count: oh * ow * 3)
        rowsFiltered.withUnsafeBufferPointer { t in
            out.withUnsafeMutableBufferPointer { d in
                for dr in 0..<oh {
                    let r = 2 + 2 * dr
                    for i in 0..<(ow * 3) {
                        let v = UInt32(t[(r - 2) * ow * 3 + i]) + 4 * UInt32(t[(r - 1) * ow * 3 + i])
                            + 6 * UInt32(t[r * ow * 3 + i]) + 4 * UInt32(t[(r + 1) * ow * 3 + i]) + UInt32(t[(r + 2) * ow * 3 + i])
                        d[dr * ow * 3 + i] = UInt8(truncatingIfNeeded: v / 256)
                    }
                }
            }
        }
        return PyramidImage(width: ow, height: oh, pixels: out)
    }
}
