import Foundation
import Testing
@testable import FaceScan

/// The shared store through the built executable against a real PostgreSQL server: the one
/// `scripts/with-postgres.sh` starts for `make test` (FACESCAN_TEST_POSTGRES). Each test has a database
/// of its own. Workers are processes, as on separate machines: three on one video give one process's
/// result, one killed with SIGKILL mid-segment loses nothing, concurrent starts with one token make one job.
@Suite(.enabled(if: TestPostgres.server != nil, "FACESCAN_TEST_POSTGRES is not set (make test starts a server)"))
struct PostgresStoreTests {

    /// A database of its own on the test server, and the commands run against it.
    struct Store {
        let url: String
        let home: String
        var extra: [String: String] = [:]

        init(_ name: String = #function) throws {
            let base = try #require(TestPostgres.server)
            let db = "t_" + name.lowercased().filter { $0.isLetter || $0.isNumber }.prefix(30) + "_" + String(UUID().uuidString.prefix(8)).lowercased()
            let r = try TestSupport.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", base, "-c", "CREATE DATABASE \(db)"])
            guard r.status == 0 else { throw TestFailure("cannot create database \(db): \(r.stderr)") }
            var c = try #require(URLComponents(string: base))
            c.path = "/" + db
            url = try #require(c.string)
            home = TestSupport.scratch(name).appendingPathComponent("home").path
        }

        var environment: [String: String] {
            var env = ProcessInfo.processInfo.environment
            env["FACESCAN_HOME"] = home
            env["FACESCAN_STORE"] = url
            for (k, v) in extra { env[k] = v }
            return env
        }

        @discardableResult
        func run(_ args: [String]) throws -> TestSupport.Result { try TestSupport.facescan(args, environment: environment) }

        func json(_ args: [String], shape: String? = nil) throws -> [String: Any] {
            let r = try run(args)
            #expect(r.status == 0, "\(args): \(r.stderr)")
            if let shape { try TestSupport.shapeCheck(shape, r.stdout) }
            return try parseJSON(r.stdout)
        }

        func sql(_ query: String) throws -> String {
            let r = try TestSupport.run(["psql", "-At", url, "-c", query])
            guard r.status == 0 else { throw TestFailure("psql: \(r.stderr)") }
            return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// A worker process in the background.
        func worker(_ more: [String] = []) throws -> Process {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: TestSupport.executable)
            p.arguments = ["worker"] + more
            p.environment = environment
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            return p
        }

        /// Every page of a job, following NextToken.
        func pages(_ command: String, _ id: String, _ more: [String] = []) throws -> [[String: Any]] {
            var pages: [[String: Any]] = [], token: String? = nil
            repeat {
                let page = try json([command, "--job-id", id, "--max-results", "7"] + more + (token.map { ["--next-token", $0] } ?? []))
                pages.append(page)
                token = page["NextToken"] as? String
            } while token != nil && pages.count < 500
            return pages
        }

        func waitForEnd(_ command: String, _ id: String, timeout: Double = 240) throws -> [String: Any] {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                let doc = try json([command, "--job-id", id, "--max-results", "1"])
                if doc["JobStatus"] as? String != "IN_PROGRESS" { return doc }
                usleep(200_000)
            }
            throw TestFailure("job \(id) still IN_PROGRESS after \(timeout) s")
        }
    }

    static func items(_ pages: [[String: Any]], _ key: String) -> [String] {
        JobCommandTests.canonical(pages.flatMap { $0[key] as? [Any] ?? [] })
    }

    @Test func jobsKeepTheAPIsSemanticsOnPostgres() throws {
        let store = try Store()
        let zoom = JobCommandTests.sample("face-zoom.mp4")
        let start = ["start-face-detection", "--client-request-token", "nightly-1", "--job-tag", "t1", zoom]
        let id = try #require(try store.json(start, shape: "StartFaceDetection")["JobId"] as? String)
        // Queued: no worker yet.
        let waiting = try store.json(["get-face-detection", "--job-id", id], shape: "GetFaceDetection")
        #expect(waiting["JobStatus"] as? String == "IN_PROGRESS")
        #expect(try store.json(start)["JobId"] as? String == id, "the same token and request: the same job")
        try JobCommandTests.expectError(try store.run(["start-face-detection", "--client-request-token", "nightly-1", "--min-confidence", "90", zoom]),
                                        start, .idempotentParameterMismatch, mentioning: id)
        var limited = store
        limited.extra["FACESCAN_MAX_JOBS"] = "1"
        try JobCommandTests.expectError(try limited.run(["start-face-detection", zoom]), start, .limitExceeded, mentioning: "limit is 1")

        // A second job, with a notification: the worker that ends it runs the command.
        let note = TestSupport.scratch().appendingPathComponent("note.json").path
        let notified = try #require(try store.json(["start-face-detection", "--job-tag", "t2", "--notification-command", "cat > '\(note)'",
                                                    JobCommandTests.sample("no-face.mp4")])["JobId"] as? String)
        let ran = try store.run(["worker", "--drain"])
        #expect(ran.status == 0, "\(ran.stderr)")
        #expect(ran.stdout.split(separator: "\n").count >= 2, "a segment and the merge step: \(ran.stdout)")
        let pages = try store.pages("get-face-detection", id)
        #expect(pages.count > 1)
        #expect(pages.allSatisfy { $0["JobStatus"] as? String == "SUCCEEDED" && $0["JobTag"] as? String == "t1" })
        let single = try parseJSON(try store.run(["detect", zoom]).stdout)
        #expect(Self.items(pages, "Faces") == JobCommandTests.canonical(single["Faces"] as? [Any] ?? []))
        try JobCommandTests.expectError(try store.run(["get-face-detection", "--job-id", id, "--next-token", "AAAA" + String(repeating: "x", count: 40)]),
                                        [], .invalidPaginationToken, mentioning: "")
        let message = try JobStoreTests.waitForFile(note)
        #expect(message["JobId"] as? String == notified && message["Status"] as? String == "SUCCEEDED" && message["JobTag"] as? String == "t2")
        #expect(message["API"] as? String == "StartFaceDetection")
        let listed = try store.json(["list-jobs"])
        #expect((listed["Jobs"] as? [[String: Any]])?.map { $0["JobId"] as? String } == [id, notified])
        #expect((listed["JobStore"] as? String)?.hasPrefix("postgres://") == true)
        #expect(try store.json(["delete-job", "--job-id", id])["JobStatus"] as? String == "SUCCEEDED")
        try JobCommandTests.expectError(try store.run(["get-face-detection", "--job-id", id]), [], .resourceNotFound, mentioning: "")
        #expect(try store.sql("SELECT count(*) FROM facescan_items WHERE job_id = '\(id)'") == "0", "a deleted job's results go with it")

        // A record damaged in the database: a clean error, listed FAILED, deletable.
        _ = try store.sql("UPDATE facescan_jobs SET record = '{\"half a rec' WHERE job_id = '\(notified)'")
        try JobCommandTests.expectError(try store.run(["get-face-detection", "--job-id", notified]), [], .internalServerError, mentioning: "damaged")
        let damaged = try store.json(["list-jobs"])["Jobs"] as? [[String: Any]]
        #expect(damaged?.first?["JobStatus"] as? String == "FAILED")
        _ = try store.json(["delete-job", "--job-id", notified])
        #expect(try store.sql("SELECT count(*) FROM facescan_jobs") == "0")
    }

    /// A video of 6 s in segments of 1 s, three workers at once: the faces of `detect`.
    @Test func threeWorkersOnOneVideoGiveTheSingleProcessResult() throws {
        var store = try Store()
        store.extra["FACESCAN_SEGMENT_SECONDS"] = "1"
        let zoom = JobCommandTests.sample("face-zoom.mp4")
        let id = try #require(try store.json(["start-face-detection", "--detection-interval", "1", zoom])["JobId"] as? String)
        #expect(try store.sql("SELECT count(*) FROM facescan_tasks WHERE job_id = '\(id)' AND number >= 0") == "6")
        let workers = try (0..<3).map { _ in try store.worker(["--drain"]) }
        workers.forEach { $0.waitUntilExit() }
        #expect(workers.allSatisfy { $0.terminationStatus == 0 })
        let pages = try store.pages("get-face-detection", id)
        #expect(pages.last?["JobStatus"] as? String == "SUCCEEDED")
        // More than one worker took segments.
        #expect((Int(try store.sql("SELECT count(DISTINCT worker) FROM facescan_tasks WHERE job_id = '\(id)'")) ?? 0) >= 2)
        let single = try parseJSON(try store.run(["detect", "--detection-interval", "1", zoom]).stdout)
        #expect(Self.items(pages, "Faces") == JobCommandTests.canonical(single["Faces"] as? [Any] ?? []))
    }

    /// A search against a collection kept in PostgreSQL, in segments of 2 s over two workers: the
    /// Persons (Indexes and matches) of `search` in one process, in both sort orders.
    @Test func searchInSegmentsWithASharedCollectionGivesTheSingleProcessResult() throws {
        var store = try Store()
        store.extra["FACESCAN_SEGMENT_SECONDS"] = "2"
        _ = try store.json(["create-collection", "--collection-id", "people"], shape: "CreateCollection")
        _ = try store.json(["index-faces", "--collection-id", "people", "--quality-filter", "NONE", "--external-image-id", "eileen",
                            SearchFixtures.collection.appendingPathComponent("eileen collins.png").path], shape: "IndexFaces")
        _ = try store.json(["index-faces", "--collection-id", "people", "--quality-filter", "NONE", "--external-image-id", "messi",
                            SearchFixtures.collection.appendingPathComponent("messi/1.jpg").path], shape: "IndexFaces")
        // Another process sees the faces.
        #expect((try store.json(["list-faces", "--collection-id", "people"])["Faces"] as? [Any])?.count == 2)
        let video = SearchFixtures.video
        let id = try #require(try store.json(["start-face-search", "--collection-id", "people", video])["JobId"] as? String)
        let workers = try (0..<2).map { _ in try store.worker(["--drain"]) }
        workers.forEach { $0.waitUntilExit() }
        let single = try parseJSON(try store.run(["search", "--collection-id", "people", video]).stdout)
        let byTime = try store.pages("get-face-search", id)
        #expect(byTime.last?["JobStatus"] as? String == "SUCCEEDED")
        let persons = Self.items(byTime, "Persons")
        #expect(!persons.isEmpty && persons == JobCommandTests.canonical(single["Persons"] as? [Any] ?? []))
        #expect(persons.contains { $0.contains("\"messi\"") } && persons.contains { $0.contains("\"eileen\"") })
        let singleByIndex = try parseJSON(try store.run(["search", "--collection-id", "people", "--sort-by", "INDEX", video]).stdout)
        #expect(Self.items(try store.pages("get-face-search", id, ["--sort-by", "INDEX"]), "Persons")
                == JobCommandTests.canonical(singleByIndex["Persons"] as? [Any] ?? []))
    }

    /// A worker killed (SIGKILL) while it holds a segment: once its lease expires another worker takes
    /// the segment again, and the job's result is complete and right.
    @Test func aKilledWorkersSegmentIsFinishedByAnother() throws {
        var store = try Store()
        store.extra["FACESCAN_SEGMENT_SECONDS"] = "2"
        let zoom = JobCommandTests.sample("face-zoom.mp4")
        let args = ["--detection-interval", "0", "--sample-rate", "all", zoom]
        let id = try #require(try store.json(["start-face-detection"] + args)["JobId"] as? String)
        let doomed = try store.worker(["--lease", "3"])
        let deadline = Date().addingTimeInterval(120)
        while try store.sql("SELECT count(*) FROM facescan_tasks WHERE job_id = '\(id)' AND attempt > 0 AND state = 'queued'") == "0" {
            guard Date() < deadline else { throw TestFailure("no worker took a segment") }
            usleep(50_000)
        }
        kill(doomed.processIdentifier, SIGKILL)
        doomed.waitUntilExit()
        let held = try store.sql("SELECT number FROM facescan_tasks WHERE job_id = '\(id)' AND attempt > 0 AND state = 'queued' ORDER BY number LIMIT 1")
        let rescuer = try store.worker(["--lease", "3"])
        defer { rescuer.terminate(); rescuer.waitUntilExit() }
        let end = try store.waitForEnd("get-face-detection", id)
        #expect(end["JobStatus"] as? String == "SUCCEEDED", "\(end)")
        #expect(try store.sql("SELECT attempt FROM facescan_tasks WHERE job_id = '\(id)' AND number = \(held)") == "2",
                "the killed worker's segment was taken again")
        let single = try parseJSON(try store.run(["detect"] + args).stdout)
        #expect(Self.items(try store.pages("get-face-detection", id), "Faces") == JobCommandTests.canonical(single["Faces"] as? [Any] ?? []))
    }

    @Test func concurrentStartsWithOneTokenGiveOneJob() throws {
        let store = try Store()
        let zoom = JobCommandTests.sample("face-zoom.mp4")
        let ids = IDs()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            let r = try? store.run(["start-face-detection", "--client-request-token", "once", zoom])
            ids.add(r.flatMap { try? parseJSON($0.stdout)["JobId"] as? String } ?? "failed: \(r?.stderr ?? "")")
        }
        #expect(ids.all.count == 8)
        #expect(Set(ids.all).count == 1, "\(ids.all)")
        #expect(try store.sql("SELECT count(*) FROM facescan_jobs") == "1")
    }

    @Test func aBadStoreIsOneJSONError() throws {
        let zoom = JobCommandTests.sample("face-zoom.mp4")
        for bad in ["postgres://127.0.0.1/db", "postgres://u@127.0.0.1:99999/db", "postgres://u@127.0.0.1/", "mysql://u@h/db"] {
            try JobCommandTests.expectError(try TestSupport.facescan(["start-face-detection", "--store", bad, zoom]), [bad], .invalidParameter, mentioning: "")
        }
        // Nothing listens on port 1.
        let r = try TestSupport.facescan(["list-jobs", "--store", "postgres://u@127.0.0.1:1/db"])
        try JobCommandTests.expectError(r, ["list-jobs"], .internalServerError, mentioning: "cannot connect")
        // No message shows a password, even one a URL parser refuses.
        for secret in ["postgres://u:hunter2@127.0.0.1:1/db", "postgres://u:hun/ter2@127.0.0.1:1/db", "mysql://u:hunter2@h/db"] {
            let r = try TestSupport.facescan(["list-jobs", "--store", secret])
            #expect(r.status != 0 && !r.stderr.isEmpty && !r.stderr.contains("hunter2") && !r.stderr.contains("ter2"), "\(r.stderr)")
        }
        // The embedded store has no workers.
        try JobCommandTests.expectError(try TestSupport.facescan(["worker", "--store", TestSupport.scratch().path, "--drain"]), ["worker"], .invalidParameter, mentioning: "")
    }

    final class IDs: @unchecked Sendable {
        private let lock = NSLock()
        private var ids: [String] = []
        func add(_ id: String) { lock.lock(); ids.append(id); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return ids }
    }
}

/// The PostgreSQL server of the test run (`scripts/with-postgres.sh`).
enum TestPostgres {
    static let server = ProcessInfo.processInfo.environment["FACESCAN_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
}
