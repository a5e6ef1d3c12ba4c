import Foundation

/// The embedded job store: a directory holding every job's record and results. No server runs; each
/// facescan process reads and writes the directory, serialised by file locks.
///
/// ```
/// STORE/key                 32 random bytes (0600) that sign NextTokens
/// STORE/lock                held while a job is created or deleted (ClientRequestToken, job limit)
/// STORE/jobs/ID/job.json    the JobRecord, replaced atomically under jobs/ID/lock
/// STORE/jobs/ID/items.*     the results (ResultLog.swift)
/// STORE/active/ID           one empty file per job that may be running (counted for the limit)
/// STORE/tokens/TOKEN        the JobId a ClientRequestToken started
/// STORE/trash/              jobs being deleted
/// ```
///
/// Every file is written atomically (temporary file, fsync, rename, directory fsync), so a crash or a
/// `kill -9` leaves the old or the new content. A job whose worker died is reported FAILED on its next
/// read (`WorkerIdentity`).
public final class JobStore: @unchecked Sendable {
    public let directory: String
    /// How many jobs may run at once; one more start is a LimitExceededException.
    public let maxConcurrentJobs: Int

    /// Rekognition's default quota of concurrent stored video jobs.
    public static let defaultMaxConcurrentJobs = 20

    public init(directory: String, maxConcurrentJobs: Int = JobStore.defaultMaxConcurrentJobs) {
        self.directory = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        self.maxConcurrentJobs = maxConcurrentJobs
    }

    /// `$FACESCAN_HOME`, else `$XDG_STATE_HOME/facescan`, else `~/.local/state/facescan`, made absolute.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        func absolute(_ p: String) -> String { p.hasPrefix("/") ? p : (cwd as NSString).appendingPathComponent(p) }
        if let home = environment["FACESCAN_HOME"], !home.isEmpty { return absolute(home) }
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/facescan" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return absolute(home) + "/.local/state/facescan"
    }

    /// The store the environment names, with the job limit of `FACESCAN_MAX_JOBS`.
    /// - Throws: InvalidParameterException when FACESCAN_MAX_JOBS is not a whole number of at least 1.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> JobStore {
        var limit = defaultMaxConcurrentJobs
        if let text = environment["FACESCAN_MAX_JOBS"] {
            guard let v = Int(text), v >= 1 else {
                throw APIError.invalidParameter("FACESCAN_MAX_JOBS accepts a whole number of at least 1, not \"\(text)\"")
            }
            limit = v
        }
        return JobStore(directory: defaultDirectory(environment: environment), maxConcurrentJobs: limit)
    }

    /// JobId and ClientRequestToken: `^[a-zA-Z0-9-_]+$`, 1 to 64 characters (they name files in the store).
    public static func isValidId(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 64 && s.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x2d || c == 0x5f
        }
    }

    // MARK: Paths

    var jobsDirectory: String { directory + "/jobs" }
    func jobDirectory(_ id: String) -> String { jobsDirectory + "/" + id }
    func recordPath(_ id: String) -> String { jobDirectory(id) + "/job.json" }
    func lockPath(_ id: String) -> String { jobDirectory(id) + "/lock" }
    var activeDirectory: String { directory + "/active" }
    var tokensDirectory: String { directory + "/tokens" }
    var trashDirectory: String { directory + "/trash" }
    var keyPath: String { directory + "/key" }

    /// Creates the store's directories (mode 0700) if they are missing.
    func prepare() throws {
        for d in [directory, jobsDirectory, activeDirectory, tokensDirectory, trashDirectory] {
            try StoreIO.makeDirectory(d)
        }
        if access(directory, W_OK) != 0 { throw StoreIO.error("write to the job store", directory) }
    }

    /// Takes the store-wide lock (creating the store if needed).
    func lockStore() throws -> FileLock {
        try prepare()
        return try FileLock(directory + "/lock")
    }

    // MARK: Key

    /// The secret key that signs NextTokens; created (under the store lock) when `create` and missing.
    func secretKey(create: Bool) throws -> [UInt8]? {
        if let key = try StoreIO.read(keyPath), key.count == 32 { return key }
        guard create else { return nil }
        let lock = try lockStore()
        defer { lock.unlock() }
        return try keyCreatingIfMissing()
    }

    /// The secret key, created if missing; the caller holds the store lock.
    private func keyCreatingIfMissing() throws -> [UInt8] {
        if let key = try StoreIO.read(keyPath), key.count == 32 { return key }
        var rng = SystemRandomNumberGenerator()
        let key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        try StoreIO.writeAtomically(keyPath, key, mode: 0o600)
        return key
    }

    // MARK: Creating

    /// A start's outcome: the job, and whether it was created now (false: an earlier start with the same
    /// ClientRequestToken and parameters made it).
    public struct Started: Sendable {
        public var record: JobRecord
        public var created: Bool
    }

    /// Creates a job (IN_PROGRESS, its worker for now this process), or returns the job an earlier start
    /// with the same ClientRequestToken and request made.
    /// - Throws: IdempotentParameterMismatchException (token reused with another request),
    ///   LimitExceededException (`maxConcurrentJobs` jobs running), AccessDeniedException (store not writable).
    public func start(_ request: JobRequest, clientRequestToken token: String? = nil, metadata: VideoMetadata? = nil,
                      workingDirectory: String? = FileManager.default.currentDirectoryPath) throws -> Started {
        if let token, !Self.isValidId(token) {
            throw APIError.invalidParameter("ClientRequestToken must match ^[a-zA-Z0-9-_]+$ (1 to 64 characters), not \"\(token)\"")
        }
        let lock = try lockStore()
        defer { lock.unlock() }
        _ = try keyCreatingIfMissing()
        let tokenPath = token.map { tokensDirectory + "/" + $0 }
        if let tokenPath, let bytes = try StoreIO.read(tokenPath) {
            let id = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if Self.isValidId(id), let existing = try? record(id) {
                guard existing.request == request else {
                    throw APIError(.idempotentParameterMismatch,
                                   "ClientRequestToken \(token!) already started job \(id) with other parameters; use a new token for a new job")
                }
                return Started(record: existing, created: false)
            }
        }
        var running = 0
        for id in try StoreIO.list(activeDirectory) {
            if Self.isValidId(id), let r = try? record(id), r.status == .inProgress {
                running += 1
            } else {
                unlink(activeDirectory + "/" + id)
            }
        }
        if running >= maxConcurrentJobs {
            throw APIError(.limitExceeded, "\(running) job\(running == 1 ? " is" : "s are") running and the limit is \(maxConcurrentJobs) (FACESCAN_MAX_JOBS); wait for one to finish")
        }
        var rng = SystemRandomNumberGenerator()
        let id = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }.hexString
        if mkdir(jobDirectory(id), 0o700) != 0 { throw StoreIO.error("create the job directory", jobDirectory(id)) }
        let record = JobRecord(jobId: id, request: request, clientRequestToken: token, workingDirectory: workingDirectory,
                               worker: .current, metadata: metadata)
        do {
            let lockFD = open(lockPath(id), O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
            if lockFD < 0 { throw StoreIO.error("create", lockPath(id)) }
            close(lockFD)
            try StoreIO.writeAtomically(recordPath(id), record.encoded())
            let marker = open(activeDirectory + "/" + id, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
            if marker < 0 { throw StoreIO.error("create", activeDirectory + "/" + id) }
            close(marker)
            StoreIO.syncDirectory(activeDirectory)
            if let tokenPath { try StoreIO.writeAtomically(tokenPath, Array(id.utf8)) }
        } catch {
            // A start that could not be recorded whole (a full disk) leaves nothing behind.
            if let tokenPath { unlink(tokenPath) }
            unlink(activeDirectory + "/" + id)
            try? FileManager.default.removeItem(atPath: jobDirectory(id))
            throw error
        }
        return Started(record: record, created: true)
    }

    // MARK: Reading and updating

    func notFound(_ id: String) -> APIError {
        APIError(.resourceNotFound, "job \(id) does not exist in the job store \(directory)")
    }

    /// The record as stored; nil when the job does not exist.
    /// - Throws: InternalServerError when the record is damaged.
    func storedRecord(_ id: String) throws -> JobRecord? {
        guard Self.isValidId(id), let bytes = try StoreIO.read(recordPath(id)) else { return nil }
        do {
            return try JobRecord.decode(bytes)
        } catch {
            throw APIError(.internalServerError, "the record of job \(id) (\(recordPath(id))) is damaged; delete the job with `facescan delete-job --job-id \(id)`")
        }
    }

    static func deadWorkerMessage(_ w: WorkerIdentity?) -> String {
        "the worker process\(w.map { " (pid \($0.pid))" } ?? "") ended before finishing the job: it was killed, crashed, or the machine restarted"
    }

    /// The job as it stands: a job IN_PROGRESS whose worker is gone is turned FAILED here (and its
    /// notification sent), or only reported FAILED when the store cannot be written.
    /// - Throws: ResourceNotFoundException for an unknown job, InternalServerError for a damaged record.
    public func record(_ id: String) throws -> JobRecord {
        guard var r = try storedRecord(id) else { throw notFound(id) }
        guard r.status == .inProgress, !(r.worker?.isAlive ?? false) else { return r }
        do {
            if let updated = try finish(id, expectedWorker: r.worker, status: .failed, message: Self.deadWorkerMessage(r.worker)) {
                return updated
            }
            guard let again = try storedRecord(id) else { throw notFound(id) }
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
        guard Self.isValidId(id), StoreIO.exists(jobDirectory(id)) else { throw notFound(id) }
        let lock = try FileLock(lockPath(id))
        defer { lock.unlock() }
        guard var r = try storedRecord(id) else { throw notFound(id) }
        guard try body(&r) else { return nil }
        try StoreIO.writeAtomically(recordPath(id), r.encoded())
        return r
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
            r.status = status
            r.statusMessage = message
            r.itemCount = itemCount
            r.warnings += warnings
            r.completionTimestamp = StoreIO.nowMillis()
            r.notified = r.request.notificationCommand != nil
            return true
        }
        guard let ended else { return nil }
        unlink(activeDirectory + "/" + id)
        if ended.notified { JobNotifier.send(ended, directory: jobDirectory(id)) }
        return ended
    }

    // MARK: Listing and deleting

    /// One entry of `list()`: a job, or a job directory whose record cannot be read.
    public enum Listing: Sendable {
        case job(JobRecord)
        case damaged(jobId: String, message: String)
    }

    /// Every job, oldest first (damaged ones last).
    public func list() throws -> [Listing] {
        var jobs: [JobRecord] = [], damaged: [Listing] = []
        for id in try StoreIO.list(jobsDirectory).sorted() where Self.isValidId(id) {
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

    /// Deletes a job and its results; a running job's worker is stopped first (SIGTERM).
    /// - Returns: the job's record before deletion (nil when it was damaged).
    @discardableResult
    public func delete(_ id: String) throws -> JobRecord? {
        guard Self.isValidId(id), StoreIO.exists(jobDirectory(id)) else { throw notFound(id) }
        let lock = try lockStore()
        defer { lock.unlock() }
        guard StoreIO.exists(jobDirectory(id)) else { throw notFound(id) }
        let jobLock = try FileLock(lockPath(id))
        let r = try? storedRecord(id)
        if let r, r.status == .inProgress, let w = r.worker, w != .current { w.terminate() }
        let trash = trashDirectory + "/" + id + "-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        if rename(jobDirectory(id), trash) != 0 { throw StoreIO.error("delete", jobDirectory(id)) }
        jobLock.unlock()
        StoreIO.syncDirectory(jobsDirectory)
        unlink(activeDirectory + "/" + id)
        if let token = r?.clientRequestToken, Self.isValidId(token),
           let bytes = try StoreIO.read(tokensDirectory + "/" + token), String(decoding: bytes, as: UTF8.self) == id {
            unlink(tokensDirectory + "/" + token)
        }
        try StoreIO.remove(trash)
        return r
    }
}
