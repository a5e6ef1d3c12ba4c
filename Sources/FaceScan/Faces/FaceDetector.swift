import Foundation

/// BlazeFace full-range as MediaPipe runs it, on the whole frame and on tiles (see `DetectionTiling`),
/// merged with weighted non-maximum suppression. Faces are returned largest first.
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

    private final class Worker {
        let network: NeuralNetwork
        var input: [Float]
        var found: [Detection] = []
        init(network: NeuralNetwork) {
            self.network = network
            input = [Float](repeating: 0, count: network.inputShape.reduce(1, *))
        }
    }

    public let options: Options
    private let decoder: BlazeFaceDecoder
    private let tiling: DetectionTiling
    private let workers: [Worker]
    private let threads: Int

    /// Loads the full-range model from `store` (verified against its SHA-256).
    public init(store: ModelStore, threads: Int = 1, options: Options = Options()) throws {
        let bytes = [UInt8](try store.load(.faceDetectionFullRange))
        let name = store.url(of: .faceDetectionFullRange).path
        var decoder = BlazeFaceDecoder.fullRange
        decoder.minScore = options.minScore
        self.decoder = decoder
        self.options = options
        self.tiling = DetectionTiling(minFaceSize: options.minFaceSize)
        self.threads = max(1, threads)
        workers = try (0..<self.threads).map { _ in Worker(network: try NeuralNetwork(tfliteBytes: bytes, name: name, threads: 1)) }
    }

    /// The faces in one frame, largest first.
    public func detect(_ image: RGBImage) throws -> [Detection] {
        let regions = tiling.regions(width: image.width, height: image.height)
        for w in workers { w.found.removeAll(keepingCapacity: true) }
        if regions.count == 1 || workers.count == 1 {
            workers[0].network.threads = regions.count == 1 ? threads : 1
            for r in regions { try run(workers[0], r, image) }
        } else {
            let failure = FailureBox()
            DispatchQueue.concurrentPerform(iterations: workers.count) { wi in
                do {
                    for i in stride(from: wi, to: regions.count, by: workers.count) { try run(workers[wi], regions[i], image) }
                } catch { failure.set(error) }
            }
            if let error = failure.error { throw error }
        }
        let merged = suppressOverlaps(weightedNonMaxSuppression(workers.flatMap(\.found), threshold: 0.3))
        return Array(merged.filter { $0.score >= options.minScore && $0.width > 0 && $0.height > 0 }
            .sorted { $0.area > $1.area }.prefix(options.maxFaces))
    }

    private func run(_ worker: Worker, _ region: DetectionTiling.Region, _ image: RGBImage) throws {
        let size = decoder.inputSize
        let box = worker.input.withUnsafeMutableBufferPointer {
            Resample.letterbox(image, region: region.rect, size: size, scale: 2 / 255, offset: -1, into: $0.baseAddress!)
        }
        let outputs = try worker.input.withUnsafeBufferPointer { try worker.network.run($0) }
        let found = decoder.decode(regressors: outputs[0], logits: outputs[1], letterbox: box)
        worker.found += found.filter { tiling.isWhole($0, in: region) }
    }
}

/// The first error thrown by concurrent work.
final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var error: Error?
    func set(_ e: Error) { lock.lock(); if error == nil { error = e }; lock.unlock() }
}
