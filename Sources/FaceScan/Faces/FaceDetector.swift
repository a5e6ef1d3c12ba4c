import Foundation

/// BlazeFace full-range as MediaPipe runs it, on the whole frame and on tiles (see `DetectionTiling`),
/// plus BlazeFace short-range on the whole frame for close-ups, merged with weighted non-maximum
/// suppression. Faces are returned largest first.
///
/// The short-range model (128×128, trained on faces near the camera) finds large faces that the
/// full-range one scores low or misses, above all faces seen in profile: on the profile close-up of
/// short_hamilton_clip.mp4 it scores 0.71–0.81 where full range gives 0.55 or nothing.
///
/// The full detection (`detect(_:minFaceSize:)`, not the cheaper passes video tracking uses between
/// full detections) also runs MTCNN (`MTCNNDetector`, trained on WIDER FACE) for the small faces of
/// crowds and groups, which both BlazeFace models score low: its faces of probability ≥ 0.8 that are
/// none of BlazeFace's faces (`sameFace`) are added (its five landmarks as keypoints); where both found
/// a face, BlazeFace's detection stands and carries MTCNN's probability as `crowdScore`. Tracking runs
/// MTCNN alone too (`detectCrowd`): around a lost face, and on the whole frame in crowds.
///
/// Not thread-safe; it runs its tiles on `threads` threads itself, one network per thread.
public final class FaceDetector {
    public struct Options: Sendable {
        /// Detections scoring below this probability are dropped (MediaPipe's 0.5).
        public var minScore: Float = 0.5
        /// The smallest face, in frame pixels (height), the tiling is planned to find.
        public var minFaceSize: Double = 32
        /// At most this many faces per frame (Rekognition's limit), the largest kept.
        public var maxFaces = 100
        /// Whether the full detection also runs MTCNN, for the small faces of crowds.
        public var crowds = true
        /// MTCNN faces below this O-Net probability are dropped (README, "Crowds": on WIDER FACE crowd
        /// photos 0.8 keeps precision above 0.9).
        public var crowdMinScore: Float = 0.8
        public init() {}
    }

    /// One thread's models.
    private struct Worker {
        let fullRange: ModelRunner
        let closeUp: ModelRunner
    }

    public let options: Options
    private let decoder: BlazeFaceDecoder
    private let closeUpDecoder: BlazeFaceDecoder
    private let tiling: DetectionTiling
    private let workers: WorkerSet<Worker>
    private let crowd: MTCNNDetector?

    /// Loads the full-range and short-range models from `store` (verified against their SHA-256).
    public init(store: ModelStore, threads: Int = 1, options: Options = Options()) throws {
        let bytes = [UInt8](try store.load(.faceDetectionFullRange))
        let name = store.url(of: .faceDetectionFullRange).path
        let closeBytes = [UInt8](try store.load(.faceDetectionShortRange))
        let closeName = store.url(of: .faceDetectionShortRange).path
        var decoder = BlazeFaceDecoder.fullRange
        decoder.minScore = options.minScore
        self.decoder = decoder
        var closeUpDecoder = BlazeFaceDecoder.shortRange
        closeUpDecoder.minScore = options.minScore
        self.closeUpDecoder = closeUpDecoder
        self.options = options
        self.tiling = DetectionTiling(minFaceSize: options.minFaceSize)
        workers = WorkerSet(try (0..<max(1, threads)).map { _ in
            Worker(fullRange: try ModelRunner(bytes: bytes, name: name), closeUp: try ModelRunner(bytes: closeBytes, name: closeName))
        })
        crowd = options.crowds ? try MTCNNDetector(store: store, threads: threads) : nil
    }

    /// The faces in one frame, largest first. `minFaceSize` (frame pixels) raises the smallest face the
    /// tiles and MTCNN's pyramid are planned for, where it exceeds theirs (video uses the service's floor,
    /// `videoMinFaceSize`).
    public func detect(_ image: RGBImage, minFaceSize: Double = 0) throws -> [Detection] {
        let plan = minFaceSize > tiling.minFaceSize ? DetectionTiling(minFaceSize: minFaceSize) : tiling
        let found = try detect(image, regions: plan.regions(width: image.width, height: image.height), closeUps: [Self.whole(image)])
        guard let crowd else { return found }
        // MTCNN adds the faces BlazeFace did not find. Where both found a face, BlazeFace's detection (its
        // six keypoints, its probability) stands and carries MTCNN's probability too, which the analyser
        // weighs when the mesh cannot read the face.
        var merged = found
        var extra: [Detection] = []
        for d in crowdDetections(try crowd.detect(image, minFaceSize: minFaceSize)) {
            if let i = merged.indices.filter({ Self.sameFace(merged[$0], d) }).max(by: { merged[$0].iou(d) < merged[$1].iou(d) }) {
                merged[i].crowdScore = max(merged[i].crowdScore ?? 0, d.score)
            } else {
                extra.append(d)
            }
        }
        return Array((merged + suppressOverlaps(extra)).sorted { $0.area > $1.area }.prefix(options.maxFaces))
    }

    /// Whether BlazeFace's detection `b` and MTCNN's `c` are one face: they overlap, and neither box is
    /// more than three times the other's area (a weak BlazeFace box drawn over a group holds several of
    /// MTCNN's faces, none of them its own).
    static func sameFace(_ b: Detection, _ c: Detection) -> Bool {
        b.overlaps(c) && max(b.area, c.area) <= 3 * min(b.area, c.area)
    }

    /// The smallest face video analysis looks for in a `width`×`height` frame: Rekognition's documented
    /// floor, "no smaller than 40x40 pixels in an image with 1920X1080 pixels", larger images needing a
    /// proportionally larger face (here in proportion to the square root of the frame's pixels). Below
    /// 1080p the detectors' own floors (32 px for the tiles, 20 for MTCNN) are lower and stand.
    public static func videoMinFaceSize(width: Int, height: Int) -> Double {
        40 * (Double(width) * Double(height) / (1920 * 1080)).squareRoot()
    }

    static func whole(_ image: RGBImage) -> DetectionTiling.Region {
        DetectionTiling.Region(rect: PixelRect(x: 0, y: 0, width: Double(image.width), height: Double(image.height)),
                               innerLeft: false, innerTop: false, innerRight: false, innerBottom: false)
    }

    /// The faces found by the two cheapest passes only: full range and short range on the whole frame,
    /// without the tiles (2 model runs instead of 31 at 1080p). It finds the larger faces, down to about
    /// 8% of the frame's longer side; video tracking runs it between full detections to catch faces that
    /// come into view.
    public func detectWholeFrame(_ image: RGBImage) throws -> [Detection] {
        try detect(image, regions: [Self.whole(image)], closeUps: [Self.whole(image)])
    }

    /// The faces found around `box` (a face seen in the previous frame) by both models, each on a square
    /// sized for it: full range (at its best on small faces) on one six times the box's longer side, short
    /// range (close-ups) on one three times. This is how video tracking looks again for a face its mesh
    /// lost or cannot follow (in profile). Detections cut by the squares' inner edges are dropped.
    public func detect(_ image: RGBImage, around box: PixelRect) throws -> [Detection] {
        let w = Double(image.width), h = Double(image.height)
        func square(_ factor: Double) -> DetectionTiling.Region {
            let side = min(max(box.width, box.height) * factor, max(w, h))
            let x = min(max(0, box.x + box.width / 2 - side / 2), max(0, w - side))
            let y = min(max(0, box.y + box.height / 2 - side / 2), max(0, h - side))
            let rect = PixelRect(x: x, y: y, width: min(side, w), height: min(side, h))
            return DetectionTiling.Region(rect: rect, innerLeft: x > 0.5, innerTop: y > 0.5,
                                          innerRight: x + rect.width < w - 0.5, innerBottom: y + rect.height < h - 0.5)
        }
        return try detect(image, regions: [square(6)], closeUps: [square(3)])
    }

    /// MTCNN's faces in the whole frame of probability ≥ `crowdMinScore`, from `minFaceSize` up (video
    /// tracking in crowds runs it between full detections). Empty when `crowds` is off.
    public func detectCrowd(_ image: RGBImage, minFaceSize: Double = 0) throws -> [Detection] {
        guard let crowd else { return [] }
        return suppressOverlaps(crowdDetections(try crowd.detect(image, minFaceSize: minFaceSize)))
    }

    /// MTCNN's faces near `box` (a face seen in the previous frame) of probability ≥ `crowdMinScore`,
    /// looked for in a square three times its side only (`MTCNNDetector.detect(_:around:)`): how video
    /// tracking looks again for a face of a crowd that BlazeFace does not find. Empty when `crowds` is off.
    public func detectCrowd(_ image: RGBImage, around box: PixelRect) throws -> [Detection] {
        guard let crowd else { return [] }
        return crowdDetections(try crowd.detect(image, around: [box]))
    }

    /// MTCNN's faces of probability ≥ `crowdMinScore` with a box, as detections.
    private func crowdDetections(_ faces: [MTCNNFace]) -> [Detection] {
        faces.filter { $0.probability >= options.crowdMinScore }.map(\.detection).filter { $0.width > 0 && $0.height > 0 }
    }

    /// Full range on `regions`, short range on `closeUps`, merged.
    private func detect(_ image: RGBImage, regions: [DetectionTiling.Region], closeUps closeUpRegions: [DetectionTiling.Region]) throws -> [Detection] {
        // Large regions are shrunk from halved copies of the frame (the short-range input is smaller, so
        // the levels are planned for it).
        let pyramid = ImagePyramid(image, regions: (regions + closeUpRegions).map(\.rect), size: closeUpDecoder.inputSize)
        // Jobs: every full-range region, then every short-range one.
        let found = try workers.map(Array(0..<(regions.count + closeUpRegions.count))) { worker, job in
            job < regions.count ? try run(worker, regions[job], image, pyramid)
                : try runCloseUp(worker, image, closeUpRegions[job - regions.count], pyramid)
        }
        let full = suppressOverlaps(weightedNonMaxSuppression(found.prefix(regions.count).flatMap { $0 }, threshold: 0.3))
        // Close-ups only add faces the full-range passes did not find; where both found a face, the
        // full-range detection (finer anchors, better keypoints) stands.
        let closeUps = weightedNonMaxSuppression(found.dropFirst(regions.count).flatMap { $0 }, threshold: 0.3)
        let merged = suppressOverlaps(full + closeUps.filter { c in !full.contains { $0.iou(c) > 0.3 } })
        return Array(merged.filter { $0.score >= options.minScore && $0.width > 0 && $0.height > 0 }
            .sorted { $0.area > $1.area }.prefix(options.maxFaces))
    }

    private func run(_ worker: Worker, _ region: DetectionTiling.Region, _ image: RGBImage, _ pyramid: ImagePyramid) throws -> [Detection] {
        var box: Letterbox?
        let outputs = try worker.fullRange.run {
            box = Resample.letterbox(image, region: region.rect, size: decoder.inputSize, scale: 2 / 255, offset: -1, into: $0, pyramid: pyramid)
        }
        let found = decoder.decode(regressors: outputs[0], logits: outputs[1], letterbox: box!)
        return found.filter { tiling.isWhole($0, in: region) }
    }

    private func runCloseUp(_ worker: Worker, _ image: RGBImage, _ region: DetectionTiling.Region, _ pyramid: ImagePyramid) throws -> [Detection] {
        var box: Letterbox?
        let outputs = try worker.closeUp.run {
            box = Resample.letterbox(image, region: region.rect, size: closeUpDecoder.inputSize, scale: 2 / 255, offset: -1, into: $0, pyramid: pyramid)
        }
        return closeUpDecoder.decode(regressors: outputs[0], logits: outputs[1], letterbox: box!).filter { tiling.isWhole($0, in: region) }
    }
}
