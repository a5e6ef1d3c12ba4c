import Foundation

/// The analysis pipelines of a worker process that runs one segment after another (`QueueWorker`):
/// built once, on first use, and kept, so that a segment does not pay for loading the models again.
public final class WorkerPipelines: @unchecked Sendable {
    public static let shared = WorkerPipelines()

    private let lock = NSLock()
    private var detector: FaceDetectionPipeline?
    private var searcher: FaceSearchPipeline?

    public func detection() throws -> FaceDetectionPipeline { try cached(&detector) { try FaceDetectionPipeline() } }

    public func search() throws -> FaceSearchPipeline { try cached(&searcher) { try FaceSearchPipeline() } }

    private func cached<T>(_ slot: inout T?, _ make: () throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        if let made = slot { return made }
        let made = try make()
        slot = made
        return made
    }
}
