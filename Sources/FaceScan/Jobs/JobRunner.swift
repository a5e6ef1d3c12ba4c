import Foundation

/// Runs a job's analysis in this process: claims the job, streams the results into the store, records
/// the progress (at most once a second) and the end (SUCCEEDED or FAILED), then the notification.
///
/// `facescan start-face-detection` runs it in a detached worker process; `facescan detect` runs it in
/// its own process and prints pages as they are complete (`onItems`).
public final class JobRunner: JobSink {
    public let store: JobStore
    public let jobId: String
    public private(set) var record: JobRecord
    let me = WorkerIdentity.current
    private let writer: JobResultWriter
    private var warnings: [String] = []
    private var lastProgressWrite: Date = .distantPast
    private var abort: Error?

    /// Called after items were stored, with the number of items stored so far.
    public var onItems: ((Int) throws -> Void)?
    /// Called after every analysed frame: frames analysed, video time reached, duration (ms).
    public var onProgress: ((Int, Int64, Int64?) -> Void)?
    /// Asked after every analysed frame: a reason to stop (the job then FAILED with it), or nil to go on.
    public var stopReason: (() -> String?)?

    /// Items stored so far.
    public var itemCount: Int { writer.count }

    /// Claims job `jobId` for this process: nil when there is nothing to run (the job ended, or another
    /// live worker has it).
    public init?(store: JobStore, jobId: String) throws {
        self.store = store
        self.jobId = jobId
        let me = self.me
        let claimed = try store.update(jobId) { r in
            guard r.status == .inProgress else { return false }
            if let w = r.worker, w != me, w.isAlive, w.pid != getppid() { return false }
            r.worker = me
            return true
        }
        guard let claimed else { return nil }
        record = claimed
        writer = try store.backend.results(jobId)
    }

    /// Runs the analysis to its end.
    /// - Returns: the SUCCEEDED record.
    /// - Throws: the analysis's error, after the job was recorded FAILED with it as StatusMessage.
    @discardableResult
    public func run() throws -> JobRecord {
        do {
            guard let operation = VideoJobOperation.started(by: record.request.api) else {
                throw APIError(.internalServerError, "job \(jobId) was started by \(record.request.api), which this facescan does not run")
            }
            try operation.run(record.request, self)
            if let abort { throw abort }
            try writer.finish()
            guard let ended = try store.finish(jobId, expectedWorker: me, status: .succeeded, itemCount: writer.count, warnings: warnings) else {
                throw APIError(.internalServerError, "job \(jobId) was ended by another process while it ran")
            }
            record = ended
            return ended
        } catch {
            let e = (error as? APIError) ?? (error as? APIErrorConvertible)?.apiError ?? APIError(.internalServerError, "\(error)")
            if let ended = try? store.finish(jobId, expectedWorker: me, status: .failed, message: "\(e.kind.rawValue): \(e.message)", warnings: warnings) {
                record = ended
            }
            throw error
        }
    }

    // MARK: JobSink

    public func append(_ items: [JSON]) throws { try appendTexts(items.map { $0.rendered() }) }

    public func appendTexts(_ items: [String]) throws {
        if let abort { throw abort }
        if let reason = stopReason?() { throw APIError(.internalServerError, reason) }
        guard !items.isEmpty else { return }
        try writer.append(items)
        try onItems?(writer.count)
    }

    public func addOrder(_ name: String, permutation: [Int]) throws {
        try writer.addOrder(name, permutation: permutation)
    }

    public func progress(frames: Int, position: Int64, duration: Int64?) {
        onProgress?(frames, position, duration)
        let now = Date()
        guard abort == nil, now.timeIntervalSince(lastProgressWrite) >= 1 else { return }
        lastProgressWrite = now
        let me = self.me
        do {
            try store.update(jobId) { r in
                guard r.status == .inProgress, r.worker == me else { throw APIError(.internalServerError, "job \(r.jobId) ended while it ran") }
                r.progress = JobProgress(frames: frames, positionMillis: position, durationMillis: duration)
                return true
            }
        } catch {
            abort = error  // the job was deleted or ended elsewhere: stop at the next item
        }
    }

    public func warn(_ message: String) { warnings.append(message) }

    // MARK: Detached worker

    /// Starts a detached worker process for job `jobId`: `executable __worker STORE JOBID`, in its own
    /// session, stdin/stdout/stderr on /dev/null. The job records the worker's identity.
    /// - Throws: InternalServerError when the process cannot be started (the job is then FAILED).
    public static func spawnWorker(store: JobStore, jobId: String, executable: String = "/proc/self/exe") throws {
        let pid: pid_t
        do {
            pid = try DetachedProcess.spawn(executable, ["facescan", workerCommand, store.location, jobId])
        } catch let e as APIError {
            _ = try? store.finish(jobId, expectedWorker: .current, status: .failed, message: "\(e.kind.rawValue): \(e.message)")
            throw e
        }
        let starter = WorkerIdentity.current
        // The worker may already have claimed the job (then this changes nothing), or even died: then its
        // identity cannot be read and the job fails now rather than waiting for a read.
        let child = WorkerIdentity.of(pid: pid)
        try store.update(jobId) { r in
            guard r.status == .inProgress, r.worker == starter else { return false }
            r.worker = child ?? WorkerIdentity(pid: pid, startTime: 0, bootId: WorkerIdentity.bootId)
            return true
        }
    }

    /// The hidden command a worker process runs.
    public static let workerCommand = "__worker"

    /// A worker process's body: runs the job; errors are recorded in the job, nothing is printed.
    /// - Returns: the exit status (0 when the job SUCCEEDED).
    public static func work(storeLocation: String, jobId: String) -> Int32 {
        guard let store = try? JobStore(backend: JobStores.open(storeLocation)) else { return 1 }
        do {
            guard let runner = try JobRunner(store: store, jobId: jobId) else { return 0 }
            try runner.run()
            return 0
        } catch {
            return 1
        }
    }
}
