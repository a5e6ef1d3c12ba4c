import Foundation

/// A face MTCNN found: its box and five landmarks in frame pixels, and the O-Net's probability.
public struct MTCNNFace: Sendable {
    public var x1: Float, y1: Float, x2: Float, y2: Float
    public var probability: Float
    /// The eye on the image's left, the other eye, the nose tip, the mouth's left and right corners.
    public var landmarks: [(x: Float, y: Float)]

    /// As a `Detection` with the five landmarks as keypoints (BlazeFace's six begin with the same eyes
    /// and nose tip; `KeypointPose` tells the two apart by their count).
    public var detection: Detection {
        var d = Detection(xmin: Double(x1), ymin: Double(y1), xmax: Double(x2), ymax: Double(y2),
                          keypoints: landmarks.map { (x: Double($0.x), y: Double($0.y)) }, score: probability)
        d.crowdScore = probability
        d.crowdOnly = true
        return d
    }
}

/// MTCNN (Zhang et al. 2016), the cascade facenet-pytorch 2.6.0 runs (`detect_face`), on facescan's
/// engine with facenet-pytorch's weights. A detector trained on WIDER FACE: it finds the small faces of
/// crowds and groups that BlazeFace scores low.
///
/// 1. **Proposals**: the frame is resized by area averaging (PyTorch's `interpolate(mode="area")`) to a
///    pyramid of scales 12/minFaceSize · 0.709ᵏ while its shorter side stays ≥ 12 px; P-Net scores every
///    12×12 window at a stride of 2. Cells with probability ≥ 0.6 become boxes, suppressed per scale
///    (IoU 0.5) and then together (IoU 0.7), moved by their regression and squared.
/// 2. **Refinement**: each box, clipped to the frame, is resized by area to 24×24 for R-Net; boxes with
///    probability > 0.7 are suppressed (IoU 0.7), regressed and squared.
/// 3. **Output**: the same at 48×48 with O-Net (> 0.7), which adds the five landmarks; the final boxes
///    are regressed and suppressed by overlap of the smaller box (0.7).
///
/// The pixels are normalised as `(v − 127.5) / 128`. Arithmetic on boxes is float32, in the reference's
/// order, so the result matches facenet-pytorch's to float rounding (the parity tests check it).
/// Not thread-safe; the scales and the crops run on `threads` threads, one set of networks each.
public final class MTCNNDetector {
    public struct Options: Sendable {
        /// The smallest face looked for, in pixels (facenet-pytorch's `min_face_size`).
        public var minFaceSize: Double = 20
        public var thresholds: (proposal: Float, refine: Float, output: Float) = (0.6, 0.7, 0.7)
        /// Pyramid step.
        public var factor: Double = 0.709
        /// The largest pyramid level, in pixels, which bounds P-Net's memory (its first layer holds ten
        /// floats per pixel: 40 MB here). In frames above about 2.8 MP the smallest face looked for
        /// grows so that the first level stays this size: 1440p 23 px, 4K 35 px, 8K 69 px.
        public var maxLevelPixels: Double = 1_000_000
        public init() {}
    }

    /// Whole pixels of the frame a pyramid level covers.
    struct PixelRegion { var x: Int, y: Int, width: Int, height: Int }

    /// A candidate box in the reference's float32 arithmetic.
    struct Box {
        var x1: Float, y1: Float, x2: Float, y2: Float
        var score: Float
        var reg: (Float, Float, Float, Float) = (0, 0, 0, 0)
        var landmarks: [(x: Float, y: Float)] = []
    }

    private final class Worker {
        let refine: NeuralNetwork
        let output: NeuralNetwork
        /// P-Net for each tile size (input rows, columns).
        var proposals: [SIMD2<Int>: NeuralNetwork] = [:]
        var input: [Float] = []
        init(refine: NeuralNetwork, output: NeuralNetwork) { self.refine = refine; self.output = output }
    }

    public let options: Options
    private let proposal: TorchCheckpoint
    private let proposalName: String
    private let workers: WorkerSet<Worker>

    static let models: [ModelFile] = [.mtcnnProposal, .mtcnnRefine, .mtcnnOutput]
    /// P-Net output cells per tile side.
    static let tileCells = 64

    public init(store: ModelStore, threads: Int = 1, options: Options = Options()) throws {
        func checkpoint(_ m: ModelFile) throws -> (TorchCheckpoint, String) {
            let name = store.url(of: m).path
            return (try TorchCheckpoint(bytes: [UInt8](try store.load(m)), file: name), name)
        }
        (proposal, proposalName) = try checkpoint(.mtcnnProposal)
        let (r, rName) = try checkpoint(.mtcnnRefine), (o, oName) = try checkpoint(.mtcnnOutput)
        self.options = options
        workers = WorkerSet(try (0..<max(1, threads)).map { _ in
            Worker(refine: try NeuralNetwork(mtcnn: .refine, checkpoint: r, name: rName, height: 24, width: 24),
                   output: try NeuralNetwork(mtcnn: .output, checkpoint: o, name: oName, height: 48, width: 48))
        })
    }

    /// The pyramid's scales for a `width`×`height` frame, as facenet-pytorch computes them, for faces
    /// from `minFaceSize` (or the options', whichever is larger) up.
    func scales(width: Int, height: Int, minFaceSize: Double = 0) -> [Double] {
        let minSize = max(options.minFaceSize, minFaceSize, 12 * (Double(width * height) / options.maxLevelPixels).squareRoot())
        let m = 12.0 / minSize
        var minl = Double(min(width, height)) * m
        var scale = m
        var out: [Double] = []
        while minl >= 12 {
            out.append(scale)
            scale *= options.factor
            minl *= options.factor
        }
        return out
    }

    /// The faces in `image`, most probable first; with `minFaceSize`, only the pyramid levels for faces
    /// that large and larger run.
    public func detect(_ image: RGBImage, minFaceSize: Double = 0) throws -> [MTCNNFace] {
        let whole = PixelRegion(x: 0, y: 0, width: image.width, height: image.height)
        return try detect(image, levels: scales(width: image.width, height: image.height, minFaceSize: minFaceSize).map { (whole, $0) })
    }

    /// The faces R-Net and O-Net find near `boxes`, faces seen in an earlier frame: video tracking looks
    /// again for a face only MTCNN found without running P-Net on the whole frame. Around each box, a
    /// square three times its side (clipped to the frame) goes through the cascade at the pyramid's scales
    /// for faces 0.6 to 1.6 times the box (two or three levels of a few thousand pixels), so a face that
    /// moved by up to its own size, or grew, between two sampled frames is found again.
    public func detect(_ image: RGBImage, around boxes: [PixelRect]) throws -> [MTCNNFace] {
        var levels: [(PixelRegion, Double)] = []
        let top = 12 / options.minFaceSize
        for b in boxes where b.width > 0 && b.height > 0 && [b.x, b.y, b.width, b.height].allSatisfy(\.isFinite) {
            let side = max(b.width, b.height)
            // Clamped to the frame before whole pixels are taken (a box far outside gives no region).
            func pixel(_ v: Double, _ limit: Int) -> Int { Int(min(max(v, 0), Double(limit)).rounded(.down)) }
            let x0 = pixel(b.x + b.width / 2 - 1.5 * side, image.width), y0 = pixel(b.y + b.height / 2 - 1.5 * side, image.height)
            let x1 = pixel((b.x + b.width / 2 + 1.5 * side).rounded(.up), image.width)
            let y1 = pixel((b.y + b.height / 2 + 1.5 * side).rounded(.up), image.height)
            guard x1 > x0, y1 > y0 else { continue }
            let region = PixelRegion(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
            var scale = min(top, 12 / (0.6 * side))
            repeat {
                if Double(min(region.width, region.height)) * scale >= 12 { levels.append((region, scale)) }
                scale *= options.factor
            } while scale >= 12 / (1.6 * side)
        }
        return try detect(image, levels: levels)
    }

    /// The cascade on pyramid levels, each a region of the frame at a scale.
    private func detect(_ image: RGBImage, levels: [(region: PixelRegion, scale: Double)]) throws -> [MTCNNFace] {
        guard !levels.isEmpty else { return [] }

        // Stage 1: the levels, in groups of about equal cost, one group per worker.
        var groups = [[Int]](repeating: [], count: min(workers.workers.count, levels.count))
        var load = [Double](repeating: 0, count: groups.count)
        for (i, l) in levels.enumerated() {
            let g = load.indices.min { load[$0] < load[$1] }!
            groups[g].append(i); load[g] += Double(l.region.width * l.region.height) * l.scale * l.scale
        }
        let found = try workers.map(groups) { worker, group in
            try group.map { try self.propose(worker, image, region: levels[$0].region, scale: levels[$0].scale) }
        }
        var perLevel = [[Box]](repeating: [], count: levels.count)
        for (group, results) in zip(groups, found) { for (i, r) in zip(group, results) { perLevel[i] = r } }
        var boxes = Self.nms(perLevel.flatMap { $0 }, 0.7)
        boxes = boxes.map { b in
            let rw = b.x2 - b.x1, rh = b.y2 - b.y1
            return Self.square(Box(x1: b.x1 + b.reg.0 * rw, y1: b.y1 + b.reg.1 * rh, x2: b.x2 + b.reg.2 * rw,
                                   y2: b.y2 + b.reg.3 * rh, score: b.score))
        }

        // Stage 2.
        boxes = try classify(boxes, image, side: 24, threshold: options.thresholds.refine)
        boxes = Self.nms(boxes, 0.7).map { Self.square(Self.regress($0)) }

        // Stage 3.
        boxes = try classify(boxes, image, side: 48, threshold: options.thresholds.output)
        boxes = boxes.map { b in
            let bw = b.x2 - b.x1 + 1, bh = b.y2 - b.y1 + 1
            var r = Self.regress(b)
            r.landmarks = b.landmarks.map { (x: bw * $0.x + b.x1 - 1, y: bh * $0.y + b.y1 - 1) }
            return r
        }
        boxes = Self.nmsMin(boxes, 0.7)
        return boxes.map { MTCNNFace(x1: $0.x1, y1: $0.y1, x2: $0.x2, y2: $0.y2, probability: $0.score, landmarks: $0.landmarks) }
    }

    /// P-Net on one pyramid level (a region of the frame at a scale): its boxes (probability ≥ the proposal threshold) after NMS at 0.5.
    ///
    /// The level runs in tiles of `tileCells`² output cells, each on its own input (2·cells + 10 pixels
    /// a side: P-Net is fully convolutional, 12 pixels seen per cell at a stride of 2, and a tile starts
    /// on even coordinates so that the 2×2 pool keeps its phase). The result is that of one run on the
    /// whole level; the memory is that of a tile, and every level shares the networks of its tile sizes
    /// (a 1080p frame's largest level alone would need 50 MB of buffers).
    private func propose(_ worker: Worker, _ image: RGBImage, region: PixelRegion, scale: Double) throws -> [Box] {
        let oh = Int(Double(region.height) * scale + 1), ow = Int(Double(region.width) * scale + 1)
        // Output size of the whole level: conv 3×3, pool 2×2 s2 (ceil), conv 3×3, conv 3×3.
        let ph = ((oh - 2) - 1) / 2 + 1 - 4, pw = ((ow - 2) - 1) / 2 + 1 - 4
        guard ph >= 1, pw >= 1 else { return [] }
        let side = 2 * Self.tileCells + 10
        if worker.input.count < oh * ow * 3 + side * side * 3 {
            worker.input = [Float](repeating: 0, count: oh * ow * 3 + side * side * 3)
        }
        let s = Float(scale), ox = Float(region.x), oy = Float(region.y)
        var boxes: [Box] = []
        try worker.input.withUnsafeMutableBufferPointer { buf in
            let level = buf.baseAddress!, tile = level + oh * ow * 3
            AreaResample.resize(image, x0: region.x, y0: region.y, width: region.width, height: region.height, outWidth: ow, outHeight: oh,
                                offset: -127.5, scale: 0.0078125, into: level)
            for r0 in stride(from: 0, to: ph, by: Self.tileCells) {
                let rows = min(Self.tileCells, ph - r0), inRows = min(2 * rows + 10, oh - 2 * r0)
                for c0 in stride(from: 0, to: pw, by: Self.tileCells) {
                    let cols = min(Self.tileCells, pw - c0), inCols = min(2 * cols + 10, ow - 2 * c0)
                    let key = SIMD2(inRows, inCols)
                    let net: NeuralNetwork
                    if let n = worker.proposals[key] { net = n } else {
                        // Edge tiles vary with the frame size: a server seeing photos of many sizes
                        // keeps at most 64 networks (about 0.5 MB each).
                        if worker.proposals.count >= 64 { worker.proposals = [:] }
                        net = try NeuralNetwork(mtcnn: .proposal, checkpoint: proposal, name: proposalName, height: inRows, width: inCols)
                        worker.proposals[key] = net
                    }
                    precondition(net.outputShapes[0][1] == rows && net.outputShapes[0][2] == cols, "P-Net tile of the wrong size")
                    for y in 0..<inRows {
                        (tile + y * inCols * 3).update(from: level + ((2 * r0 + y) * ow + 2 * c0) * 3, count: inCols * 3)
                    }
                    let outputs = try net.run(UnsafeBufferPointer(start: tile, count: inRows * inCols * 3))
                    let prob = outputs[0], reg = outputs[1]
                    for y in 0..<rows {
                        for x in 0..<cols {
                            let i = y * cols + x
                            let p = prob[i * 2 + 1]
                            guard p >= options.thresholds.proposal else { continue }
                            let fx = Float(c0 + x), fy = Float(r0 + y)
                            boxes.append(Box(x1: ((2 * fx + 1) / s).rounded(.down) + ox, y1: ((2 * fy + 1) / s).rounded(.down) + oy,
                                             x2: ((2 * fx + 12) / s).rounded(.down) + ox, y2: ((2 * fy + 12) / s).rounded(.down) + oy,
                                             score: p, reg: (reg[i * 4], reg[i * 4 + 1], reg[i * 4 + 2], reg[i * 4 + 3])))
                        }
                    }
                }
            }
        }
        return Self.nms(boxes, 0.5)
    }

    /// R-Net (`side` 24) or O-Net (48) on each box's crop: the boxes scoring above `threshold`, with
    /// their regression (and O-Net's landmarks, relative to the crop).
    private func classify(_ boxes: [Box], _ image: RGBImage, side: Int, threshold: Float) throws -> [Box] {
        // The crops as the reference cuts them: truncated to whole pixels, clipped to the frame.
        var crops: [(box: Box, x0: Int, y0: Int, w: Int, h: Int)] = []
        for b in boxes {
            guard b.x1.isFinite, b.y1.isFinite, b.x2.isFinite, b.y2.isFinite,
                  abs(b.x1) < 1e8, abs(b.y1) < 1e8, abs(b.x2) < 1e8, abs(b.y2) < 1e8 else { continue }
            let x = max(Int(b.x1), 1), y = max(Int(b.y1), 1)
            let ex = min(Int(b.x2), image.width), ey = min(Int(b.y2), image.height)
            guard ex > x - 1, ey > y - 1 else { continue }
            crops.append((b, x - 1, y - 1, ex - x + 1, ey - y + 1))
        }
        if crops.isEmpty { return [] }
        let n = workers.workers.count
        let chunks = (0..<min(n, crops.count)).map { c in Array(stride(from: c, to: crops.count, by: n)) }
        let results = try workers.map(chunks) { worker, chunk -> [(Int, Box)] in
            let net = side == 24 ? worker.refine : worker.output
            if worker.input.count < side * side * 3 { worker.input = [Float](repeating: 0, count: side * side * 3) }
            var kept: [(Int, Box)] = []
            for i in chunk {
                let c = crops[i]
                let out: [UnsafeBufferPointer<Float>] = try worker.input.withUnsafeMutableBufferPointer { buf in
                    AreaResample.resize(image, x0: c.x0, y0: c.y0, width: c.w, height: c.h, outWidth: side, outHeight: side,
                                        offset: -127.5, scale: 0.0078125, into: buf.baseAddress!)
                    return try net.run(UnsafeBufferPointer(rebasing: buf[0..<side * side * 3]))
                }
                let p = out[0][1]
                guard p > threshold else { continue }
                var b = c.box
                b.score = p
                b.reg = (out[1][0], out[1][1], out[1][2], out[1][3])
                if out.count > 2 { b.landmarks = (0..<5).map { (x: out[2][$0], y: out[2][5 + $0]) } }
                kept.append((i, b))
            }
            return kept
        }
        return results.flatMap { $0 }.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// The box moved by its regression, scaled by its size in whole pixels (`bbreg`).
    static func regress(_ b: Box) -> Box {
        let w = b.x2 - b.x1 + 1, h = b.y2 - b.y1 + 1
        var r = b
        r.x1 = b.x1 + b.reg.0 * w; r.y1 = b.y1 + b.reg.1 * h
        r.x2 = b.x2 + b.reg.2 * w; r.y2 = b.y2 + b.reg.3 * h
        return r
    }

    /// The square of the box's longer side on its centre (`rerec`).
    static func square(_ b: Box) -> Box {
        let h = b.y2 - b.y1, w = b.x2 - b.x1
        let l = max(w, h)
        var r = b
        r.x1 = b.x1 + w * 0.5 - l * 0.5
        r.y1 = b.y1 + h * 0.5 - l * 0.5
        r.x2 = r.x1 + l
        r.y2 = r.y1 + l
        return r
    }

    /// torchvision's `nms`: highest score first, dropping boxes whose IoU with a kept one exceeds `threshold`.
    static func nms(_ boxes: [Box], _ threshold: Float) -> [Box] {
        let order = boxes.indices.sorted { boxes[$0].score > boxes[$1].score }
        var kept: [Box] = []
        var areas: [Float] = []
        for i in order {
            let b = boxes[i]
            let area = (b.x2 - b.x1) * (b.y2 - b.y1)
            var keep = true
            for (k, a) in zip(kept, areas) {
                let iw = max(0, min(b.x2, k.x2) - max(b.x1, k.x1)), ih = max(0, min(b.y2, k.y2) - max(b.y1, k.y1))
                let inter = iw * ih
                if inter / (area + a - inter) > threshold { keep = false; break }
            }
            if keep { kept.append(b); areas.append(area) }
        }
        return kept
    }

    /// The reference's final NMS ("Min"): overlap is the intersection over the smaller box, sizes in
    /// whole pixels (+1).
    static func nmsMin(_ boxes: [Box], _ threshold: Float) -> [Box] {
        let order = boxes.indices.sorted { boxes[$0].score > boxes[$1].score }
        var kept: [Box] = []
        for i in order {
            let b = boxes[i]
            let area = (b.x2 - b.x1 + 1) * (b.y2 - b.y1 + 1)
            let clash = kept.contains { k in
                let iw = max(0, min(b.x2, k.x2) - max(b.x1, k.x1) + 1), ih = max(0, min(b.y2, k.y2) - max(b.y1, k.y1) + 1)
                return iw * ih / min(area, (k.x2 - k.x1 + 1) * (k.y2 - k.y1 + 1)) > threshold
            }
            if !clash { kept.append(b) }
        }
        return kept
    }
}
