import Foundation

/// Stored video jobs: JobId, ClientRequestToken idempotency, the job limit, statuses, notifications and
/// pages (`JobStore+Pages`), over a backend that keeps them (`JobBackend`): a directory on this machine
/// (the default) or a PostgreSQL database shared by many machines, whose workers take the jobs' segments
/// from it (`JobQueue`).
public final class JobStore: @unchecked Sendable {
    public let backend: JobBackend
    /// How many jobs may run at once; one more start is a LimitExceededException.
    public let maxConcurrentJobs: Int
    /// For a queue: how long a segment of video is (ms; `VideoSegments`).
    public let segmentLength: Int64

    /// Rekognition's default quota of concurrent stored video jobs.
    public static let defaultMaxConcurrentJobs = 20

    public init(backend: JobBackend, maxConcurrentJobs: Int = JobStore.defaultMaxConcurrentJobs,
                segmentLength: Int64 = VideoSegments.defaultLength) {
        self.backend = backend
        self.maxConcurrentJobs = maxConcurrentJobs
        self.segmentLength = segmentLength
    }

    /// The embedded store in `directory`.
    public convenience init(directory: String, maxConcurrentJobs: Int = JobStore.defaultMaxConcurrentJobs) {
        self.init(backend: DirectoryJobBackend(directory: directory), maxConcurrentJobs: maxConcurrentJobs)
    }

    /// How another process opens this store: the directory, or the database URL.
    public var location: String { backend.location }

    /// True when the store's own workers (`facescan worker`) run its jobs: a start only enqueues.
    public var isQueue: Bool { backend is JobQueue }

    /// `$FACESCAN_HOME`, else `$XDG_STATE_HOME/facescan`, else `~/.local/state/facescan`, made absolute.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        func absolute(_ p: String) -> String { p.hasPrefix("/") ? p : (cwd as NSString).appendingPathComponent(p) }
        if let home = environment["FACESCAN_HOME"], !home.isEmpty { return absolute(home) }
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/facescan" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return absolute(home) + "/.local/state/facescan"
    }

    /// The store `location` names (nil: `FACESCAN_STORE`, else the default directory), with the job
    /// limit of `FACESCAN_MAX_JOBS` and the segment length of `FACESCAN_SEGMENT_SECONDS`.
    /// - Throws: InvalidParameterException when a variable is not a whole number of at least 1, or the
    ///   location is not one a backend opens.
    public static func open(_ location: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> JobStore {
        func whole(_ name: String) throws -> Int? {
            guard let text = environment[name] else { return nil }
            guard let v = Int(text), v >= 1, v <= 1_000_000 else {
                throw APIError.invalidParameter("\(name) accepts a whole number from 1 to 1000000, not \"\(text)\"")
            }
            return v
        }
        let limit = try whole("FACESCAN_MAX_JOBS") ?? defaultMaxConcurrentJobs
        let segment = try whole("FACESCAN_SEGMENT_SECONDS").map { Int64($0) * 1000 } ?? VideoSegments.defaultLength
        let named = location ?? environment["FACESCAN_STORE"].flatMap { $0.isEmpty ? nil : $0 }
        let backend = try named.map { try JobStores.open($0) } ?? DirectoryJobBackend(directory: defaultDirectory(environment: environment))
        return JobStore(backend: backend, maxConcurrentJobs: limit, segmentLength: segment)
    }

    /// JobId and ClientRequestToken: `^[a-zA-Z0-9-_]+$`, 1 to 64 characters (they name files in the store).
    public static func isValidId(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 64 && s.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x2d || c == 0x5f
        }
    }

    // MARK: Errors both backends raise

    static func notFound(_ id: String, in location: String) -> APIError {
        APIError(.resourceNotFound, "job \(id) does not exist in the job store \(location)")
    }

    static func damaged(_ id: String, _ detail: String) -> APIError {
        APIError(.internalServerError, "the record of job \(id) \(detail) is damaged; delete the job with `facescan delete-job --job-id \(id)`")
    }

    static func mismatch(_ token: String, _ id: String) -> APIError {
        APIError(.idempotentParameterMismatch, "ClientRequestToken \(token) already started job \(id) with other parameters; use a new token for a new job")
    }

    static func limitExceeded(_ running: Int, _ limit: Int) -> APIError {
        APIError(.limitExceeded, "\(running) job\(running == 1 ? " is" : "s are") running and the limit is \(limit) (FACESCAN_MAX_JOBS); wait for one to finish")
    }

    /// The directory of a job in an embedded store (tests and the directory's own workers).
    func jobDirectory(_ id: String) -> String { (backend as? DirectoryJobBackend)?.jobDirectory(id) ?? "" }

    // MARK: Creating

    /// A start's outcome: the job, and whether it was created now (false: an earlier start with the same
    /// ClientRequestToken and parameters made it).
    public struct Started: Sendable {
        public var record: JobRecord
        public var created: Bool

        public init(record: JobRecord, created: Bool) {
            self.record = record
            self.created = created
        }
    }

    /// Creates a job (IN_PROGRESS; its worker for now this process, or, in a queue, none until a
    /// worker takes its first segment), or returns the job an earlier start with the same
    /// ClientRequestToken and request made.
    /// - Throws: IdempotentParameterMismatchException (token reused with another request),
    ///   LimitExceededException (`maxConcurrentJobs` jobs running), AccessDeniedException (store not writable).
    public func start(_ request: JobRequest, clientRequestToken token: String? = nil, metadata: VideoMetadata? = nil,
                      workingDirectory: String? = FileManager.default.currentDirectoryPath) throws -> Started {
        if let token, !Self.isValidId(token) {
            throw APIError.invalidParameter("ClientRequestToken must match ^[a-zA-Z0-9-_]+$ (1 to 64 characters), not \"\(token)\"")
        }
        var rng = SystemRandomNumberGenerator()
        let id = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }.hexString
        let queued = isQueue
        let record = JobRecord(jobId: id, request: request, clientRequestToken: token, workingDirectory: workingDirectory,
                               worker: queued ? nil : .current, metadata: metadata)
        let segments = queued ? try VideoSegments.plan(request, durationMillis: metadata?.durationMillis, length: segmentLength) : []
        return try backend.create(record, limit: maxConcurrentJobs, segments: segments)
    }

    // MARK: Reading and updating

    static func deadWorkerMessage(_ w: WorkerIdentity?) -> String {
        "the worker process\(w.map { " (pid \($0.pid))" } ?? "") ended before finishing the job: it was killed, crashed, or the machine restarted"
    }

    /// The job as it stands: a job IN_PROGRESS whose worker is gone is turned FAILED here (and its
    /// notification sent), or only reported FAILED when the store cannot be written.
    /// - Throws: ResourceNotFoundException for an unknown job, InternalServerError for a damaged record.
    public func record(_ id: String) throws -> JobRecord {
        guard var r = try backend.storedRecord(id) else { throw Self.notFound(id, in: location) }
        guard r.status == .inProgress, backend.isAbandoned(r) else { return r }
        do {
            if let updated = try finish(id, expectedWorker: r.worker, status: .failed, message: Self.deadWorkerMessage(r.worker)) {
                return updated
            }
            guard let again = try backend.storedRecord(id) else { throw Self.notFound(id, in: location) }
            return again
        } catch let e as APIError where e.kind != .resourceNotFound {
            // A store that cannot be written (permissions, a read-only or full file system) is still
            // read: the job is reported FAILED without being recorded.
            r.status = .failed
            r.statusMessage = Self.deadWorkerMessage(r.worker)
            return r
        }
    }

    /// Read-modify-write of a record under the job's lock. `body` returns false to leave it unchanged.
    /// - Returns: the record after the update, or nil when `body` left it unchanged.
    @discardableResult
    public func update(_ id: String, _ body: (inout JobRecord) throws -> Bool) throws -> JobRecord? {
        try backend.update(id, body)
    }

    /// Ends a job that is IN_PROGRESS with `expectedWorker` as its worker: records the outcome, then sends
    /// its notification and drops it from the running jobs. Nothing happens when the job already ended
    /// or another worker took it over, so a job ends once.
    /// - Returns: the ended record, or nil when nothing happened.
    @discardableResult
    public func finish(_ id: String, expectedWorker: WorkerIdentity?, status: JobStatus, message: String? = nil,
                       itemCount: Int? = nil, warnings: [String] = []) throws -> JobRecord? {
        let ended = try update(id) { r in
            guard r.status == .inProgress, r.worker == expectedWorker else { return false }
            Self.end(&r, status, message: message, itemCount: itemCount, warnings: warnings)
            return true
        }
        guard let ended else { return nil }
        didEnd(ended)
        return ended
    }

    /// A record's end: status, message, item count, warnings, completion time, whether to notify.
    public static func end(_ r: inout JobRecord, _ status: JobStatus, message: String? = nil, itemCount: Int? = nil, warnings: [String] = []) {
        r.status = status
        r.statusMessage = message
        r.itemCount = itemCount
        r.warnings += warnings
        r.completionTimestamp = StoreIO.nowMillis()
        r.notified = r.request.notificationCommand != nil
    }

    /// A failed end with its message (as the queue's workers record it).
    public static func endFailed(_ r: inout JobRecord, _ message: String) { end(&r, .failed, message: message) }

    /// After a job's end was recorded: it stops counting as running, and its notification is sent.
    public func didEnd(_ ended: JobRecord) {
        backend.ended(ended.jobId)
        if ended.notified, let directory = try? backend.notificationDirectory(ended.jobId) { JobNotifier.send(ended, directory: directory) }
    }

    // MARK: Listing and deleting

    /// One entry of `list()`: a job, or a job whose record cannot be read.
    public enum Listing: Sendable {
        case job(JobRecord)
        case damaged(jobId: String, message: String)
    }

    /// Every job, oldest first (damaged ones last).
    public func list() throws -> [Listing] {
        var jobs: [JobRecord] = [], damaged: [Listing] = []
        for id in try backend.jobIds().sorted() {
            do {
                jobs.append(try record(id))
            } catch let e as APIError where e.kind == .resourceNotFound {
                continue  // deleted meanwhile, or a directory without a record
            } catch let e as APIError {
                damaged.append(.damaged(jobId: id, message: e.message))
            }
        }
        return jobs.sorted { ($0.creationTimestamp, $0.jobId) < ($1.creationTimestamp, $1.jobId) }.map { .job($0) } + damaged
    }

    /// Deletes a job and its results; a running job's worker is stopped first.
    /// - Returns: the job's record before deletion (nil when it was damaged).
    @discardableResult
    public func delete(_ id: String) throws -> JobRecord? {
        try backend.remove(id)
    }
}
