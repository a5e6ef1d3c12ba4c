import FaceScan
import Foundation
import PostgresNIO

/// The shared job store: jobs, their segments and results in PostgreSQL (`PostgresSchema`), for
/// `facescan worker` processes on any number of machines to take work from (`JobQueue`). A start
/// records the job and its segments in one transaction; workers claim segments with
/// `FOR UPDATE SKIP LOCKED`, so two never take the same one, under a lease that they renew; a segment
/// whose lease expired goes to the next worker that asks, and the rows the old attempt wrote are
/// replaced. Every write of a task's results first takes a share lock on the task's row with its
/// attempt number, so a worker that lost its lease cannot write over its successor's.
public final class PostgresJobBackend: JobQueue, @unchecked Sendable {
    let session: PostgresSession
    /// The database's URL without its password (it appears in messages; workers name their own store).
    public var location: String { PostgresAddress.withoutPassword(session.url) }

    /// Opens the store at `url` (postgres://…), creating its tables when missing.
    public init(url: String) throws {
        session = try PostgresSchema.open(url)
    }

    /// Registers this backend for postgres:// and postgresql:// job stores and collection stores.
    public static func register() {
        for scheme in ["postgres", "postgresql"] {
            JobStores.register(scheme: scheme) { try PostgresJobBackend(url: $0) }
            CollectionStores.register(scheme: scheme) { rest in try PostgresCollectionStore(url: PostgresAddress.completed(scheme + ":" + rest)) }
        }
    }

    private func notFound(_ id: String) -> APIError { APIError(.resourceNotFound, "job \(id) does not exist in the job store \(location)") }

    private static func decode(_ text: String, _ id: String) throws -> JobRecord {
        do { return try JobRecord.decode(Array(text.utf8)) } catch { throw APIError(.internalServerError, "the record of job \(id) in the PostgreSQL store is damaged; delete the job with `facescan delete-job --job-id \(id)`") }
    }

    private static func text(_ r: JobRecord) -> String { String(decoding: r.encoded(), as: UTF8.self) }

    // MARK: JobBackend

    public func create(_ record: JobRecord, limit: Int, segments: [VideoSegment]) throws -> JobStore.Started {
        try session.transaction {
            try session.query("SELECT pg_advisory_xact_lock(\(PostgresSchema.startLock))")
            if let token = record.clientRequestToken,
               let row = try session.query("SELECT job_id, record FROM facescan_jobs WHERE client_token = \(token)").first {
                let (id, text) = try row.decode((String, String).self)
                let existing = try Self.decode(text, id)
                guard existing.request == record.request else {
                    throw APIError(.idempotentParameterMismatch, "ClientRequestToken \(token) already started job \(id) with other parameters; use a new token for a new job")
                }
                return JobStore.Started(record: existing, created: false)
            }
            let running = try session.query("SELECT count(*) FROM facescan_jobs WHERE status = 'IN_PROGRESS'").first!.decode(Int64.self)
            if running >= limit {
                throw APIError(.limitExceeded, "\(running) job\(running == 1 ? " is" : "s are") running and the limit is \(limit) (FACESCAN_MAX_JOBS); wait for one to finish")
            }
            _ = try keyCreatingIfMissing()
            try session.query("""
                INSERT INTO facescan_jobs (job_id, client_token, status, created, record)
                VALUES (\(record.jobId), \(record.clientRequestToken), \(record.status.rawValue), \(record.creationTimestamp), \(Self.text(record)))
                """)
            for (k, s) in segments.enumerated() {
                try session.query("""
                    INSERT INTO facescan_tasks (job_id, number, start_ms, end_ms, state) VALUES (\(record.jobId), \(Int32(k)), \(s.start), \(s.end), 'queued')
                    """)
            }
            try session.query("INSERT INTO facescan_tasks (job_id, number, start_ms, state) VALUES (\(record.jobId), \(Int32(JobTask.merge)), 0, 'waiting')")
            return JobStore.Started(record: record, created: true)
        }
    }

    public func storedRecord(_ id: String) throws -> JobRecord? {
        guard JobStore.isValidId(id), let row = try session.query("SELECT record FROM facescan_jobs WHERE job_id = \(id)").first else { return nil }
        var r = try Self.decode(try row.decode(String.self), id)
        if r.status == .inProgress { r.progress = try progress(of: r) }
        return r
    }

    /// A queued job's progress: frames analysed by all its segments, and the video time they covered
    /// (nil before a worker took a segment).
    private func progress(of r: JobRecord) throws -> JobProgress? {
        let rows = try session.query("SELECT start_ms, end_ms, state, frames, position, attempt FROM facescan_tasks WHERE job_id = \(r.jobId) AND number >= 0")
        var frames = 0, covered: Int64 = 0, started = false
        let duration = r.videoMetadata?.durationMillis
        for row in rows {
            let (start, end, state, f, position, attempt) = try row.decode((Int64, Int64?, String, Int32, Int64?, Int32).self)
            frames += Int(f)
            if attempt > 0 { started = true }
            if state == "done" { covered += max(0, (end ?? duration ?? position ?? start) - start) }
            else if let position { covered += max(0, position - start) }
        }
        return started ? JobProgress(frames: frames, positionMillis: covered, durationMillis: duration) : nil
    }

    public func update(_ id: String, _ body: (inout JobRecord) throws -> Bool) throws -> JobRecord? {
        guard JobStore.isValidId(id) else { throw notFound(id) }
        return try session.transaction {
            guard let row = try session.query("SELECT record FROM facescan_jobs WHERE job_id = \(id) FOR UPDATE").first else { throw notFound(id) }
            var r = try Self.decode(try row.decode(String.self), id)
            guard try body(&r) else { return nil }
            try session.query("UPDATE facescan_jobs SET record = \(Self.text(r)), status = \(r.status.rawValue) WHERE job_id = \(id)")
            return r
        }
    }

    public func jobIds() throws -> [String] {
        try session.query("SELECT job_id FROM facescan_jobs").map { try $0.decode(String.self) }
    }

    public func remove(_ id: String) throws -> JobRecord? {
        guard JobStore.isValidId(id) else { throw notFound(id) }
        // The rows of its tasks and results go with it; a worker on one of its segments finds its lease
        // gone at its next renewal and stops.
        guard let row = try session.query("DELETE FROM facescan_jobs WHERE job_id = \(id) RETURNING record").first else { throw notFound(id) }
        return try? Self.decode(try row.decode(String.self), id)
    }

    public func secretKey(create: Bool) throws -> [UInt8]? {
        if let row = try session.query("SELECT value FROM facescan_meta WHERE name = 'key'").first {
            let key = [UInt8](try row.decode(Data.self))
            if key.count == 32 { return key }
        }
        guard create else { return nil }
        return try keyCreatingIfMissing()
    }

    private func keyCreatingIfMissing() throws -> [UInt8] {
        var rng = SystemRandomNumberGenerator()
        let fresh = Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) })
        try session.query("INSERT INTO facescan_meta (name, value) VALUES ('key', \(fresh)) ON CONFLICT (name) DO NOTHING")
        return [UInt8](try session.query("SELECT value FROM facescan_meta WHERE name = 'key'").first!.decode(Data.self))
    }

    public func results(_ id: String) throws -> JobResultWriter {
        try session.query("DELETE FROM facescan_items WHERE job_id = \(id) AND part = \(Int32(JobTask.merge))")
        try session.query("DELETE FROM facescan_orders WHERE job_id = \(id)")
        return PostgresResultWriter(session: session, jobId: id, part: JobTask.merge, guardTask: nil)
    }

    public func items(_ id: String, count: Int, order: String?, from: Int, n: Int) throws -> [String] {
        let upper = min(count, from + n)
        guard from < upper else { return [] }
        let part = Int32(JobTask.merge)
        func damaged(_ what: String) -> APIError {
            APIError(.internalServerError, "the results of job \(id) in the PostgreSQL store are damaged (\(what)); delete the job with `facescan delete-job --job-id \(id)`")
        }
        let numbers: [Int32]
        if let order {
            guard let row = try session.query("""
                SELECT substring(perm FROM \(Int32(from * 4 + 1)) FOR \(Int32((upper - from) * 4))) FROM facescan_orders WHERE job_id = \(id) AND name = \(order)
                """).first else { throw damaged("the \(order) order is missing") }
            let bytes = [UInt8](try row.decode(Data.self))
            guard bytes.count == (upper - from) * 4 else { throw damaged("the \(order) order is short") }
            numbers = stride(from: 0, to: bytes.count, by: 4).map { k in
                Int32(bitPattern: UInt32(bytes[k]) | UInt32(bytes[k + 1]) << 8 | UInt32(bytes[k + 2]) << 16 | UInt32(bytes[k + 3]) << 24)
            }
        } else {
            numbers = (from..<upper).map { Int32($0) }
        }
        var byNumber: [Int32: String] = [:]
        for row in try session.query("SELECT n, body FROM facescan_items WHERE job_id = \(id) AND part = \(part) AND n = ANY(\(numbers))") {
            let (k, body) = try row.decode((Int32, String).self)
            byNumber[k] = body
        }
        return try numbers.map { k in
            guard let body = byNumber[k] else { throw damaged("item \(k) is missing") }
            return body
        }
    }

    public func ended(_ id: String) {}

    public func notificationDirectory(_ id: String) throws -> String {
        let directory = JobStore.defaultDirectory() + "/notifications/" + id
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return directory
    }

    public func isAbandoned(_ r: JobRecord) -> Bool { false }

    // MARK: JobQueue

    public func claim(worker: String, lease: Double) throws -> JobTask? {
        try session.transaction {
            let rows = try session.query("""
                UPDATE facescan_tasks t SET lease_until = clock_timestamp() + make_interval(secs => \(lease)), worker = \(worker), attempt = t.attempt + 1
                FROM (SELECT t2.job_id, t2.number FROM facescan_tasks t2 JOIN facescan_jobs j ON j.job_id = t2.job_id
                      WHERE t2.state = 'queued' AND (t2.lease_until IS NULL OR t2.lease_until < clock_timestamp()) AND j.status = 'IN_PROGRESS'
                      ORDER BY j.created, t2.job_id, t2.number
                      LIMIT 1 FOR UPDATE OF t2 SKIP LOCKED) c
                WHERE t.job_id = c.job_id AND t.number = c.number
                RETURNING t.job_id, t.number, t.start_ms, t.end_ms, t.attempt
                """)
            guard let row = rows.first else { return nil }
            let (id, number, start, end, attempt) = try row.decode((String, Int32, Int64, Int64?, Int32).self)
            // What an earlier attempt wrote is discarded before this one writes.
            try session.query("DELETE FROM facescan_items WHERE job_id = \(id) AND part = \(number)")
            if number == Int32(JobTask.merge) { try session.query("DELETE FROM facescan_orders WHERE job_id = \(id)") }
            return JobTask(jobId: id, number: Int(number), segment: number >= 0 ? VideoSegment(start: start, end: end) : nil,
                           attempt: Int(attempt), worker: worker)
        }
    }

    public func renew(_ task: JobTask, lease: Double, progress: JobProgress?) throws -> Bool {
        let rows = try session.query("""
            UPDATE facescan_tasks t SET lease_until = clock_timestamp() + make_interval(secs => \(lease)),
                frames = \(Int32(clamping: progress?.frames ?? 0)), position = \(progress?.positionMillis)
            WHERE t.job_id = \(task.jobId) AND t.number = \(Int32(task.number)) AND t.attempt = \(Int32(task.attempt)) AND t.state = 'queued'
              AND EXISTS (SELECT 1 FROM facescan_jobs j WHERE j.job_id = t.job_id AND j.status = 'IN_PROGRESS')
            RETURNING 1
            """)
        return !rows.isEmpty
    }

    /// Locks the job's row, then the task's if this attempt still holds it; false otherwise. Inside a
    /// transaction. The job's row first (as the items' foreign key check takes it): the order a
    /// delete-job takes them in, so the two cannot deadlock. `exclusive` for a writer of the rows
    /// themselves, else shared.
    func holds(_ task: JobTask, exclusive: Bool = false) throws -> Bool {
        guard !(try session.query("""
            SELECT 1 FROM facescan_jobs WHERE job_id = \(task.jobId) FOR \(unescaped: exclusive ? "UPDATE" : "KEY SHARE")
            """)).isEmpty else { return false }
        return !(try session.query("""
            SELECT 1 FROM facescan_tasks WHERE job_id = \(task.jobId) AND number = \(Int32(task.number)) AND attempt = \(Int32(task.attempt))
              AND state = 'queued' FOR \(unescaped: exclusive ? "UPDATE" : "SHARE")
            """)).isEmpty
    }

    public func taskResults(_ task: JobTask) throws -> JobResultWriter {
        PostgresResultWriter(session: session, jobId: task.jobId, part: task.number, guardTask: (task, self))
    }

    public func complete(_ task: JobTask, warnings: [String]) throws -> Bool {
        let text = String(decoding: (try? JSONEncoder().encode(warnings)) ?? Data("[]".utf8), as: UTF8.self)
        return try session.transaction {
            guard try holds(task) else { return false }
            // The merge step's row is locked before the count, so that two segments ending at once take
            // turns and the second one's count sees the first one done.
            try session.query("SELECT 1 FROM facescan_tasks WHERE job_id = \(task.jobId) AND number = \(Int32(JobTask.merge)) FOR UPDATE")
            let held = try session.query("""
                UPDATE facescan_tasks SET state = 'done', lease_until = NULL, warnings = \(text)
                WHERE job_id = \(task.jobId) AND number = \(Int32(task.number)) AND attempt = \(Int32(task.attempt)) AND state = 'queued'
                RETURNING 1
                """)
            guard !held.isEmpty, task.number >= 0 else { return false }
            let left = try session.query("SELECT count(*) FROM facescan_tasks WHERE job_id = \(task.jobId) AND number >= 0 AND state <> 'done'").first!.decode(Int64.self)
            guard left == 0 else { return false }
            try session.query("UPDATE facescan_tasks SET state = 'queued' WHERE job_id = \(task.jobId) AND number = \(Int32(JobTask.merge)) AND state = 'waiting'")
            return true
        }
    }

    public func succeed(_ task: JobTask, _ end: (inout JobRecord) -> Void) throws -> JobRecord? {
        try endJob(from: task, taskState: "done", end)
    }

    public func fail(_ task: JobTask, _ end: (inout JobRecord) -> Void) throws -> JobRecord? {
        try endJob(from: task, taskState: "failed", end)
    }

    /// In one transaction: the task, if this attempt holds it, put in `taskState`, and the running job's
    /// record ended by `end` (nil when either was not so).
    private func endJob(from task: JobTask, taskState: String, _ end: (inout JobRecord) -> Void) throws -> JobRecord? {
        try session.transaction {
            guard try holds(task, exclusive: true) else { return nil }
            try session.query("UPDATE facescan_tasks SET state = \(taskState), lease_until = NULL WHERE job_id = \(task.jobId) AND number = \(Int32(task.number))")
            // (`update` joins this transaction.)
            return try update(task.jobId) { r in
                guard r.status == .inProgress else { return false }
                end(&r)
                return true
            }
        }
    }

    public func release(_ task: JobTask) throws {
        try session.query("""
            UPDATE facescan_tasks SET lease_until = NULL
            WHERE job_id = \(task.jobId) AND number = \(Int32(task.number)) AND attempt = \(Int32(task.attempt)) AND state = 'queued'
            """)
    }

    public func forEachSegmentItem(_ jobId: String, _ body: (String) throws -> Void) throws {
        var part: Int32 = 0, next: Int32 = 0
        while true {
            let rows = try session.query("""
                SELECT part, n, body FROM facescan_items WHERE job_id = \(jobId) AND part >= 0 AND (part, n) >= (\(part), \(next))
                ORDER BY part, n LIMIT 500
                """)
            for row in rows {
                let (p, n, text) = try row.decode((Int32, Int32, String).self)
                try body(text)
                (part, next) = (p, n + 1)
            }
            if rows.count < 500 { return }
        }
    }

    public func segmentWarnings(_ jobId: String) throws -> [String] {
        try session.query("SELECT warnings FROM facescan_tasks WHERE job_id = \(jobId) AND number >= 0 ORDER BY number").flatMap { row in
            (try? JSONDecoder().decode([String].self, from: Data(try row.decode(String.self).utf8))) ?? []
        }
    }
}

/// Writes a job's or a task's items in batches; a task's batches only while its attempt holds it.
final class PostgresResultWriter: JobResultWriter {
    let session: PostgresSession
    let jobId: String
    let part: Int
    let guardTask: (JobTask, PostgresJobBackend)?
    private(set) var count = 0
    private var pending: [String] = []
    private var pendingBytes = 0

    init(session: PostgresSession, jobId: String, part: Int, guardTask: (JobTask, PostgresJobBackend)?) {
        self.session = session
        self.jobId = jobId
        self.part = part
        self.guardTask = guardTask
    }

    func append(_ items: [String]) throws {
        pending += items
        pendingBytes += items.reduce(0) { $0 + $1.utf8.count }
        count += items.count
        if pending.count >= 500 || pendingBytes >= 1 << 20 { try flush() }
    }

    private func checked(_ body: () throws -> Void) throws {
        try session.transaction {
            if let (task, backend) = guardTask, !(try backend.holds(task)) {
                throw APIError(.internalServerError, "the task's lease was lost: another worker has it")
            }
            try body()
        }
    }

    private func flush() throws {
        guard !pending.isEmpty else { return }
        let first = count - pending.count
        let numbers = (0..<pending.count).map { Int32(first + $0) }
        let bodies = pending
        try checked {
            try session.query("""
                INSERT INTO facescan_items (job_id, part, n, body) SELECT \(jobId), \(Int32(part)), u.n, u.body FROM unnest(\(numbers)::int[], \(bodies)::text[]) AS u(n, body)
                """)
        }
        pending.removeAll(keepingCapacity: true)
        pendingBytes = 0
    }

    func addOrder(_ name: String, permutation: [Int]) throws {
        try flush()
        guard permutation.count == count, Set(permutation).count == count, permutation.allSatisfy({ (0..<count).contains($0) }) else {
            throw APIError(.internalServerError, "the \(name) order does not list every result once")
        }
        var bytes = Data(capacity: count * 4)
        for i in permutation { withUnsafeBytes(of: UInt32(i).littleEndian) { bytes.append(contentsOf: $0) } }
        try checked {
            try session.query("""
                INSERT INTO facescan_orders (job_id, name, perm) VALUES (\(jobId), \(name), \(bytes))
                ON CONFLICT (job_id, name) DO UPDATE SET perm = EXCLUDED.perm
                """)
        }
    }

    func finish() throws { try flush() }
}
