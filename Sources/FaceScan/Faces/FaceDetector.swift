import Foundation

/// BlazeFace full-range as MediaPipe runs it, on the whole frame and on tiles (see `DetectionTiling`),
/// plus BlazeFace short-range on the whole frame for close-ups, merged with weighted non-maximum
/// suppression. Faces are returned largest first.
///
/// The short-range model (128×128, trained on faces near the camera) finds large faces that the
/// full-range one scores low or misses, above all faces seen in profile: on the profile close-up of
/// short_hamilton_clip.mp4 it scores 0.71–0.81 where full range gives 0.55 or nothing.
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
    }

    /// The faces in one frame, largest first.
    public func detect(_ image: RGBImage) throws -> [Detection] {
        let regions = tiling.regions(width: image.width, height: image.height)
        // Jobs: every full-range region, then the short-range model on the whole frame (index == count).
        let found = try workers.map(Array(0...regions.count)) { worker, job in
            job < regions.count ? try run(worker, regions[job], image) : try runCloseUp(worker, image)
        }
        let full = suppressOverlaps(weightedNonMaxSuppression(found.dropLast().flatMap { $0 }, threshold: 0.3))
        // Close-ups only add faces the full-range passes did not find; where both found a face, the
        // full-range detection (finer anchors, better keypoints) stands.
        let closeUps = weightedNonMaxSuppression(found.last ?? [], threshold: 0.3)
        let merged = suppressOverlaps(full + closeUps.filter { c in !full.contains { $0.iou(c) > 0.3 } })
        return Array(merged.filter { $0.score >= options.minScore && $0.width > 0 && $0.height > 0 }
            .sorted { $0.area > $1.area }.prefix(options.maxFaces))
    }

    private func run(_ worker: Worker, _ region: DetectionTiling.Region, _ image: RGBImage) throws -> [Detection] {
        var box: Letterbox?
        let outputs = try worker.fullRange.run {
            box = Resample.letterbox(image, region: region.rect, size: decoder.inputSize, scale: 2 / 255, offset: -1, into: $0)
        }
        let found = decoder.decode(regressors: outputs[0], logits: outputs[1], letterbox: box!)
        return found.filter { tiling.isWhole($0, in: region) }
    }

    private func runCloseUp(_ worker: Worker, _ image: RGBImage) throws -> [Detection] {
        let whole = PixelRect(x: 0, y: 0, width: Double(image.width), height: Double(image.height))
        var box: Letterbox?
        let outputs = try worker.closeUp.run {
            box = Resample.letterbox(image, region: whole, size: closeUpDecoder.inputSize, scale: 2 / 255, offset: -1, into: $0)
        }
        return closeUpDecoder.decode(regressors: outputs[0], logits: outputs[1], letterbox: box!)
    }
}
