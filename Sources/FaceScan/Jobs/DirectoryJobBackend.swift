import Foundation

/// The embedded job backend: a directory holding every job's record and results. No server runs; each
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
/// `kill -9` leaves the old or the new content. A job whose worker process died is abandoned
/// (`WorkerIdentity`): it is reported FAILED on its next read.
public final class DirectoryJobBackend: JobBackend, @unchecked Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
    }

    public var location: String { directory }

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

    public func secretKey(create: Bool) throws -> [UInt8]? {
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

    public func create(_ record: JobRecord, limit: Int, segments: [VideoSegment]) throws -> JobStore.Started {
        let lock = try lockStore()
        defer { lock.unlock() }
        _ = try keyCreatingIfMissing()
        let token = record.clientRequestToken
        let tokenPath = token.map { tokensDirectory + "/" + $0 }
        if let token, let tokenPath, let bytes = try StoreIO.read(tokenPath) {
            let id = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if JobStore.isValidId(id), let existing = try? storedRecord(id) {
                guard existing.request == record.request else { throw JobStore.mismatch(token, id) }
                return JobStore.Started(record: existing, created: false)
            }
        }
        var running = 0
        for id in try StoreIO.list(activeDirectory) {
            if JobStore.isValidId(id), let r = try? storedRecord(id), r.status == .inProgress, !isAbandoned(r) {
                running += 1
            } else {
                unlink(activeDirectory + "/" + id)
            }
        }
        if running >= limit { throw JobStore.limitExceeded(running, limit) }
        let id = record.jobId
        if mkdir(jobDirectory(id), 0o700) != 0 { throw StoreIO.error("create the job directory", jobDirectory(id)) }
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
        return JobStore.Started(record: record, created: true)
    }

    // MARK: Reading and updating

    func notFound(_ id: String) -> APIError { JobStore.notFound(id, in: directory) }

    /// The record as stored; nil when the job does not exist.
    /// - Throws: InternalServerError when the record is damaged.
    public func storedRecord(_ id: String) throws -> JobRecord? {
        guard JobStore.isValidId(id), let bytes = try StoreIO.read(recordPath(id)) else { return nil }
        do {
            return try JobRecord.decode(bytes)
        } catch {
            throw JobStore.damaged(id, "(\(recordPath(id)))")
        }
    }

    public func isAbandoned(_ r: JobRecord) -> Bool { !(r.worker?.isAlive ?? false) }

    /// Read-modify-write of a record under the job's lock. `body` returns false to leave it unchanged.
    /// - Returns: the record after the update, or nil when `body` left it unchanged.
    @discardableResult
    public func update(_ id: String, _ body: (inout JobRecord) throws -> Bool) throws -> JobRecord? {
        guard JobStore.isValidId(id), StoreIO.exists(jobDirectory(id)) else { throw notFound(id) }
        let lock = try FileLock(lockPath(id))
        defer { lock.unlock() }
        guard var r = try storedRecord(id) else { throw notFound(id) }
        guard try body(&r) else { return nil }
        try StoreIO.writeAtomically(recordPath(id), r.encoded())
        return r
    }

    public func ended(_ id: String) { unlink(activeDirectory + "/" + id) }

    public func notificationDirectory(_ id: String) throws -> String { jobDirectory(id) }

    // MARK: Results

    public func results(_ id: String) throws -> JobResultWriter { try ResultWriter(directory: jobDirectory(id)) }

    public func items(_ id: String, count: Int, order: String?, from: Int, n: Int) throws -> [String] {
        try ResultReader(directory: jobDirectory(id), jobId: id, count: count).items(order: order, from: from, n: n)
    }

    // MARK: Listing and deleting

    public func jobIds() throws -> [String] { try StoreIO.list(jobsDirectory).filter(JobStore.isValidId) }

    /// Deletes a job and its results; a running job's worker is stopped first (SIGTERM).
    /// - Returns: the job's record before deletion (nil when it was damaged).
    @discardableResult
    public func remove(_ id: String) throws -> JobRecord? {
        guard JobStore.isValidId(id), StoreIO.exists(jobDirectory(id)) else { throw notFound(id) }
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
        if let token = r?.clientRequestToken, JobStore.isValidId(token),
           let bytes = try StoreIO.read(tokensDirectory + "/" + token), String(decoding: bytes, as: UTF8.self) == id {
            unlink(tokensDirectory + "/" + token)
        }
        try StoreIO.remove(trash)
        return r
    }
}
