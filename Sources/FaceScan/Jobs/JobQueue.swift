import Foundation

/// One piece of a queued job that a worker holds under a lease: a segment of the video, or the merge
/// step that runs once every segment is done.
public struct JobTask: Sendable, Equatable {
    public var jobId: String
    /// The segment's number (0, 1, …), or `JobTask.merge`.
    public var number: Int
    /// The segment's time range (nil for the merge step).
    public var segment: VideoSegment?
    /// How many times the task has been taken, this time included: a worker whose lease expired and was
    /// taken over holds an older attempt, and whatever it still writes is refused.
    public var attempt: Int
    public var worker: String

    public static let merge = -1
    /// A task taken more often than this (every worker that took it died on it: a crash, out of
    /// memory) fails its job rather than felling workers for ever.
    public static let maxAttempts = 3

    public init(jobId: String, number: Int, segment: VideoSegment?, attempt: Int, worker: String) {
        self.jobId = jobId
        self.number = number
        self.segment = segment
        self.attempt = attempt
        self.worker = worker
    }
}

/// A job backend shared by workers on many machines: jobs are split into segments (`VideoSegments`)
/// that any worker takes (`QueueWorker`), holding each under a lease it renews while it works. A
/// segment whose lease expired (its worker was killed, its machine lost) is taken by the next worker
/// that asks. When the last segment is done the merge step is queued; it writes the job's results.
public protocol JobQueue: JobBackend {
    /// Takes the oldest job's next task that no live lease holds, leased for `lease` seconds; nil when
    /// there is none.
    func claim(worker: String, lease: Double) throws -> JobTask?
    /// Extends the task's lease and records how far it got; false when the task is no longer this
    /// attempt's (taken over after its lease expired, or its job deleted or ended).
    func renew(_ task: JobTask, lease: Double, progress: JobProgress?) throws -> Bool
    /// The task's own results, empty (an earlier attempt's are discarded): a segment's items, or for
    /// the merge step the job's. Every write is refused once the task is no longer this attempt's.
    func taskResults(_ task: JobTask) throws -> JobResultWriter
    /// Records a segment done with its warnings; returns true when it was the job's last, and the
    /// merge step is queued. False (nothing recorded) when the attempt no longer holds it.
    func complete(_ task: JobTask, warnings: [String]) throws -> Bool
    /// Ends the job from its merge step, in one transaction: the step done and the job's record as
    /// `end` makes it (SUCCEEDED, its item count). Nil when the attempt no longer holds the step or the
    /// job already ended.
    func succeed(_ task: JobTask, _ end: (inout JobRecord) -> Void) throws -> JobRecord?
    /// Fails the job from one of its tasks, in one transaction: the task marked failed (never done, so
    /// no merge follows) and the job's record as `end` makes it. Nil when the attempt no longer holds it.
    func fail(_ task: JobTask, _ end: (inout JobRecord) -> Void) throws -> JobRecord?
    /// Gives the task back at once (its lease ended), for another attempt.
    func release(_ task: JobTask) throws
    /// Every segment's items, segment after segment, in order.
    func forEachSegmentItem(_ jobId: String, _ body: (String) throws -> Void) throws
    /// The warnings the job's segments recorded, in segment order.
    func segmentWarnings(_ jobId: String) throws -> [String]
}

/// The shared store could not be reached or did not answer (a connection refused or lost, the server
/// restarting): nothing is known to be wrong with the job, so a worker gives its task back rather than
/// failing the job. To the user it is an InternalServerError.
public struct StoreUnavailable: Error, APIErrorConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var apiError: APIError { APIError(.internalServerError, message) }
}
