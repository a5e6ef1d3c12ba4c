import Foundation

/// The analysis pipelines of a worker process that runs one segment after another (`QueueWorker`):
/// built once, on first use, and kept, so that a segment does not pay for loading the models again.
public final class WorkerPipelines: @unchecked Sendable {
    public static let shared = WorkerPipelines()

    private let lock = NSLock()
    private var detector: FaceDetectionPipeline?
    private var searcher: FaceSearchPipeline?

    public func detection() throws -> FaceDetectionPipeline {
        lock.lock(); defer { lock.unlock() }
        if let detector { return detector }
        let made = try FaceDetectionPipeline()
        detector = made
        return made
    }

    public func search() throws -> FaceSearchPipeline {
        lock.lock(); defer { lock.unlock() }
        if let searcher { return searcher }
        let made = try FaceSearchPipeline()
        searcher = made
        return made
    }
}
