import Foundation

/// `facescan worker`: takes tasks from a queued job store one after another (`JobQueue.claim`), runs
/// them, and renews each task's lease on a thread of its own while it runs. Workers keep no state of
/// their own: any number run on any number of machines, and one that dies loses only its lease.
///
/// A segment's analysis that fails (an unreadable video, say) fails its job, as a single process's
/// would; a segment whose lease was lost stops without touching anything. The merge step that ends a job
/// records it SUCCEEDED and sends its notification from the worker that ran it.
public final class QueueWorker: @unchecked Sendable {
    public let store: JobStore
    let queue: JobQueue
    /// Seconds a task is held without a renewal; renewed every third of that.
    public let lease: Double
    /// "host:pid", recorded with each task it holds.
    public let name: String

    public init(store: JobStore, lease: Double = 30) throws {
        guard let queue = store.backend as? JobQueue else {
            throw APIError.invalidParameter("facescan worker needs a shared job store (--store postgres://…); the job store \(store.location) runs its jobs itself")
        }
        self.store = store
        self.queue = queue
        self.lease = lease
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count - 1)
        name = String(cString: host) + ":" + String(getpid())
    }

    /// Runs tasks until `stop` says so (asked between tasks and while idle), waiting `poll` seconds
    /// when there is nothing to do; with `drain`, returns as soon as there is nothing to do.
    /// - Returns: the number of tasks run.
    /// A store that cannot be reached (the database restarting, the network down) is asked again every
    /// `retry` seconds, each failure handed to `unreachable`; with `drain`, the first failure is thrown.
    @discardableResult
    public func run(poll: Double = 1, drain: Bool = false, retry: Double = 5, stop: () -> Bool = { false },
                    unreachable: (Error) -> Void = { _ in },
                    done onTask: (JobTask, Outcome, Double) throws -> Void = { _, _, _ in }) throws -> Int {
        var done = 0
        // Sleeps in short steps, so that a stop is seen soon.
        func pause(_ seconds: Double) {
            var slept = 0.0
            while slept < seconds && !stop() { usleep(100_000); slept += 0.1 }
        }
        while !stop() {
            let claimed: JobTask?
            do {
                claimed = try queue.claim(worker: name, lease: lease)
            } catch {
                if drain { throw error }
                unreachable(error)
                pause(retry)
                continue
            }
            guard let task = claimed else {
                if drain { break }
                pause(poll)
                continue
            }
            let began = Date()
            let outcome = perform(task)
            try onTask(task, outcome, Date().timeIntervalSince(began))
            done += 1
        }
        return done
    }

    /// How a task ended for this worker.
    public enum Outcome: String, Sendable {
        /// Done (a segment's items stored; for the merge step, the job SUCCEEDED).
        case done
        /// It failed, and so did its job (FAILED with the error as StatusMessage).
        case failed
        /// Another worker took it over (this one's lease expired), or its job was deleted or ended.
        case lost
    }

    /// Runs one task to its end; errors end up in the job, not here.
    @discardableResult
    public func perform(_ task: JobTask) -> Outcome {
        let renewer = LeaseRenewer(queue: queue, task: task, lease: lease)
        defer { renewer.stop() }
        let sink: TaskSink
        if task.attempt > JobTask.maxAttempts {
            let what = task.segment.map { "the segment from \($0.start) ms" } ?? "the merge step"
            let message = "InternalServerError: the workers that took \(what) ended \(JobTask.maxAttempts) times before finishing it (killed, crashed or out of memory)"
            guard let ended = try? queue.fail(task, { JobStore.endFailed(&$0, message) }) else { return .lost }
            store.didEnd(ended)
            return .failed
        }
        do {
            let record = try store.record(task.jobId)
            guard record.status == .inProgress else { try? queue.release(task); return .lost }
            guard let operation = VideoJobOperation.started(by: record.request.api) else {
                throw APIError(.internalServerError, "job \(task.jobId) was started by \(record.request.api), which this facescan does not run")
            }
            sink = TaskSink(writer: try queue.taskResults(task), renewer: renewer)
            if let segment = task.segment {
                try operation.segment(VideoSegments.request(record.request, segment), sink)
                try sink.writer.finish()
                guard try renewer.stillHeld() else { return .lost }
                _ = try queue.complete(task, warnings: sink.warnings)
            } else {
                try operation.merge(record.request, { body in try self.queue.forEachSegmentItem(task.jobId, body) }, sink)
                try sink.writer.finish()
                let warnings = try queue.segmentWarnings(task.jobId) + sink.warnings
                let count = sink.writer.count
                guard let ended = try queue.succeed(task, { JobStore.end(&$0, .succeeded, itemCount: count, warnings: warnings) }) else { return .lost }
                store.didEnd(ended)
            }
            return .done
        } catch is StoreUnavailable {
            // Nothing is wrong with the job: the task goes back for another attempt (now, or when its
            // lease expires if the store stays away).
            try? queue.release(task)
            return .lost
        } catch {
            // A task taken over, or a job deleted meanwhile, is left to whoever holds it now.
            let e = (error as? APIError) ?? (error as? APIErrorConvertible)?.apiError ?? APIError(.internalServerError, "\(error)")
            let message = "\(e.kind.rawValue): \(e.message)"
            guard let ended = try? queue.fail(task, { JobStore.end(&$0, .failed, message: message) }) else {
                try? queue.release(task)
                return .lost
            }
            store.didEnd(ended)
            return .failed
        }
    }
}

/// Renews a task's lease every third of its length, with the progress reached, until stopped; notes
/// when the lease was lost.
final class LeaseRenewer: @unchecked Sendable {
    private let condition = NSCondition()
    private var stopped = false, lost = false
    private var progress: JobProgress?
    private let queue: JobQueue
    private let task: JobTask
    private let lease: Double
    private let done = DispatchSemaphore(value: 0)

    init(queue: JobQueue, task: JobTask, lease: Double) {
        self.queue = queue
        self.task = task
        self.lease = lease
        let thread = Thread { [self] in
            defer { done.signal() }
            condition.lock()
            while !stopped {
                _ = condition.wait(until: Date().addingTimeInterval(lease / 3))
                if stopped { break }
                let p = progress
                condition.unlock()
                let held = (try? queue.renew(task, lease: lease, progress: p)) ?? true  // a failed renewal is tried again
                condition.lock()
                if !held { lost = true }
            }
            condition.unlock()
        }
        thread.name = "facescan-lease"
        thread.start()
    }

    func report(_ p: JobProgress) {
        condition.lock(); progress = p; condition.unlock()
    }

    var isLost: Bool { condition.lock(); defer { condition.unlock() }; return lost }

    /// Renews now: false when the task is no longer this attempt's.
    func stillHeld() throws -> Bool {
        if isLost { return false }
        condition.lock(); let p = progress; condition.unlock()
        return try queue.renew(task, lease: lease, progress: p)
    }

    func stop() {
        condition.lock()
        let first = !stopped
        stopped = true
        condition.broadcast()
        condition.unlock()
        if first { done.wait() }
    }
}

/// Where a task's analysis sends its items: the task's results, refused once the lease is lost.
final class TaskSink: JobSink {
    let writer: JobResultWriter
    let renewer: LeaseRenewer
    private(set) var warnings: [String] = []

    init(writer: JobResultWriter, renewer: LeaseRenewer) {
        self.writer = writer
        self.renewer = renewer
    }

    func append(_ items: [JSON]) throws { try appendTexts(items.map { $0.rendered() }) }

    func appendTexts(_ items: [String]) throws {
        if renewer.isLost { throw APIError(.internalServerError, "the task's lease was lost: another worker has it") }
        guard !items.isEmpty else { return }
        try writer.append(items)
    }

    func addOrder(_ name: String, permutation: [Int]) throws { try writer.addOrder(name, permutation: permutation) }

    func progress(frames: Int, position: Int64, duration: Int64?) {
        renewer.report(JobProgress(frames: frames, positionMillis: position, durationMillis: duration))
    }

    func warn(_ message: String) { warnings.append(message) }
}
