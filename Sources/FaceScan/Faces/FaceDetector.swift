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

    /// One thread's models and findings.
    private final class Worker {
        let fullRange: ModelRunner
        let closeUp: ModelRunner
        var found: [Detection] = []
        var foundCloseUp: [Detection] = []
        init(fullRange: ModelRunner, closeUp: ModelRunner) {
            self.fullRange = fullRange
            self.closeUp = closeUp
        }
    }

    public let options: Options
    private let decoder: BlazeFaceDecoder
    private let closeUpDecoder: BlazeFaceDecoder
    private let tiling: DetectionTiling
    private let workers: [Worker]
    private let threads: Int

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
        self.threads = max(1, threads)
        workers = try (0..<self.threads).map { _ in
            Worker(fullRange: try ModelRunner(bytes: bytes, name: name), closeUp: try ModelRunner(bytes: closeBytes, name: closeName))
        }
    }

    /// The faces in one frame, largest first.
    public func detect(_ image: RGBImage) throws -> [Detection] {
        let regions = tiling.regions(width: image.width, height: image.height)
        for w in workers { w.found.removeAll(keepingCapacity: true); w.foundCloseUp.removeAll(keepingCapacity: true) }
        // Jobs: every full-range region, then the short-range model on the whole frame (index == count).
        let jobs = regions.count + 1
        let work = { (worker: Worker, job: Int) throws in
            if job < regions.count { try self.run(worker, regions[job], image) } else { try self.runCloseUp(worker, image) }
        }
        if workers.count == 1 {
            for j in 0..<jobs { try work(workers[0], j) }
        } else {
            let failure = FailureBox()
            DispatchQueue.concurrentPerform(iterations: workers.count) { wi in
                do {
                    for j in stride(from: wi, to: jobs, by: workers.count) { try work(workers[wi], j) }
                } catch { failure.set(error) }
            }
            if let error = failure.error { throw error }
        }
        let full = suppressOverlaps(weightedNonMaxSuppression(workers.flatMap(\.found), threshold: 0.3))
        // Close-ups only add faces the full-range passes did not find; where both found a face, the
        // full-range detection (finer anchors, better keypoints) stands.
        let closeUps = weightedNonMaxSuppression(workers.flatMap(\.foundCloseUp), threshold: 0.3)
        let merged = suppressOverlaps(full + closeUps.filter { c in !full.contains { $0.iou(c) > 0.3 } })
        return Array(merged.filter { $0.score >= options.minScore && $0.width > 0 && $0.height > 0 }
            .sorted { $0.area > $1.area }.prefix(options.maxFaces))
    }

    private func run(_ worker: Worker, _ region: DetectionTiling.Region, _ image: RGBImage) throws {
        var box: Letterbox?
        let outputs = try worker.fullRange.run {
            box = Resample.letterbox(image, region: region.rect, size: decoder.inputSize, scale: 2 / 255, offset: -1, into: $0)
        }
        let found = decoder.decode(regressors: outputs[0], logits: outputs[1], letterbox: box!)
        worker.found += found.filter { tiling.isWhole($0, in: region) }
    }

    private func runCloseUp(_ worker: Worker, _ image: RGBImage) throws {
        let whole = PixelRect(x: 0, y: 0, width: Double(image.width), height: Double(image.height))
        var box: Letterbox?
        let outputs = try worker.closeUp.run {
            box = Resample.letterbox(image, region: whole, size: closeUpDecoder.inputSize, scale: 2 / 255, offset: -1, into: $0)
        }
        worker.foundCloseUp += closeUpDecoder.decode(regressors: outputs[0], logits: outputs[1], letterbox: box!)
    }
}

/// The first error thrown by concurrent work.
final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var error: Error?
    func set(_ e: Error) { lock.lock(); if error == nil { error = e }; lock.unlock() }
}
