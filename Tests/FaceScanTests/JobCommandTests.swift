import Foundation
import Testing
@testable import FaceScan

/// The job verbs through the built executable, each test with its own job store (FACESCAN_HOME): the
/// API contract (shapes, status transitions, pagination, tokens, idempotency, limits), the detached
/// worker (killed, concurrent processes), notifications, a read-only store and detect's modes.
@Suite struct JobCommandTests {
    /// A job store of its own and the commands run against it.
    struct Home {
        let path: String
        var extra: [String: String] = [:]
        /// The kind of job `start`, `get`, `waitForEnd` and `pages` work with.
        var operation: VideoJobOperation

        init(_ name: String = #function, operation: VideoJobOperation = .faceDetection) {
            path = TestSupport.scratch(name).appendingPathComponent("home").path
            self.operation = operation
        }

        /// "start-face-detection" for StartFaceDetection.
        static func command(_ api: String) -> String {
            api.reduce(into: "") { out, c in out += c.isUppercase ? (out.isEmpty ? "" : "-") + c.lowercased() : String(c) }
        }

        var environment: [String: String] {
            var env = ProcessInfo.processInfo.environment
            env["FACESCAN_HOME"] = path
            for (k, v) in extra { env[k] = v }
            return env
        }

        @discardableResult
        func run(_ args: [String]) throws -> TestSupport.Result {
            try TestSupport.facescan(args, environment: environment)
        }

        /// Runs a command that must succeed and print one JSON object passing `operation`'s shape check.
        func json(_ args: [String], shape operation: String?) throws -> [String: Any] {
            let r = try run(args)
            #expect(r.status == 0, "\(args): \(r.stderr)")
            if let operation { try TestSupport.shapeCheck(operation, r.stdout) }
            return try parseJSON(r.stdout)
        }

        func start(_ args: [String]) throws -> String {
            let doc = try json([Self.command(operation.startAPI)] + args, shape: operation.startAPI)
            return try #require(doc["JobId"] as? String)
        }

        func get(_ id: String, _ more: [String] = []) throws -> [String: Any] {
            try json([Self.command(operation.getAPI), "--job-id", id] + more, shape: operation.getAPI)
        }

        /// Polls until the job is no longer IN_PROGRESS.
        func waitForEnd(_ id: String, timeout: Double = 120) throws -> [String: Any] {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                let doc = try get(id, ["--max-results", "1"])
                if doc["JobStatus"] as? String != "IN_PROGRESS" { return doc }
                usleep(100_000)
            }
            throw TestFailure("job \(id) still IN_PROGRESS after \(timeout) s")
        }

        /// Every page with MaxResults `n` (and `more` options, e.g. --sort-by), following NextToken.
        func pages(_ id: String, maxResults n: Int, _ more: [String] = []) throws -> [[String: Any]] {
            var pages: [[String: Any]] = []
            var token: String? = nil
            repeat {
                let page = try get(id, ["--max-results", String(n)] + more + (token.map { ["--next-token", $0] } ?? []))
                pages.append(page)
                token = page["NextToken"] as? String
            } while token != nil && pages.count < 1000
            return pages
        }

        /// The command fails with one JSON error object on stderr, nothing on stdout.
        func expectError(_ args: [String], _ kind: APIError.Kind, mentioning fragment: String = "") throws {
            try JobCommandTests.expectError(try run(args), args, kind, mentioning: fragment)
        }

        func workerPid(_ id: String) throws -> Int32 {
            let jobs = try json(["list-jobs"], shape: nil)["Jobs"] as? [[String: Any]] ?? []
            let job = try #require(jobs.first { $0["JobId"] as? String == id })
            return Int32(try #require(job["WorkerPid"] as? Int))
        }
    }

    static func expectError(_ r: TestSupport.Result, _ args: [String], _ kind: APIError.Kind, mentioning fragment: String) throws {
        #expect(r.status == kind.exitCode, "\(args): exit \(r.status), stderr \(r.stderr)")
        #expect(r.stdout.isEmpty, "\(args): stdout must be empty, got \(r.stdout.prefix(200))")
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(args): one line on stderr, got \(r.stderr)")
        let obj = try parseJSON(String(lines.first ?? ""))
        #expect(obj["__type"] as? String == kind.rawValue, "\(args): \(r.stderr)")
        #expect(fragment.isEmpty || (obj["Message"] as? String ?? "").contains(fragment), "\(args): \(r.stderr)")
    }

    static func sample(_ name: String) -> String { TestSupport.repoRoot.appendingPathComponent("SampleVideos/\(name)").path }

    static func faces(_ pages: [[String: Any]]) -> [Any] { pages.flatMap { $0["Faces"] as? [Any] ?? [] } }

    /// Canonical text of JSON values, to compare faces exactly.
    static func canonical(_ values: [Any]) -> [String] {
        values.map { String(decoding: try! JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self) }
    }

    /// A job that runs for a while: every frame of the 6-second zoom (150 frames).
    /// Every frame, each through the full detector: several seconds, long enough to be seen running.
    static let longJob = ["--sample-rate", "all", "--detection-interval", "0", sample("face-zoom.mp4")]

    // MARK: Status and shapes

    @Test func startThenGetThroughTheStatuses() throws {
        let home = Home()
        let id = try home.start(["--job-tag", "run:1/a", "--face-attributes", "ALL", "--sample-rate", "2", Self.sample("several-faces.mp4")])
        #expect(id.count == 64 && JobStore.isValidId(id))
        let early = try home.get(id)
        #expect(["IN_PROGRESS", "SUCCEEDED"].contains(early["JobStatus"] as? String))
        #expect(early["JobId"] as? String == id && early["JobTag"] as? String == "run:1/a")
        #expect((early["VideoMetadata"] as? [String: Any])?["DurationMillis"] as? Int == 4000, "VideoMetadata from the start")
        if early["JobStatus"] as? String == "IN_PROGRESS" {
            #expect(early["StatusMessage"] == nil && early["NextToken"] == nil && (early["Faces"] as? [Any])?.isEmpty == true)
        }
        let done = try home.waitForEnd(id)
        #expect(done["JobStatus"] as? String == "SUCCEEDED" && done["StatusMessage"] == nil)
        let all = try home.get(id)
        #expect((all["Faces"] as? [Any])?.count ?? 0 >= 20, "three faces in most of the 8 frames")
        #expect(all["NextToken"] == nil)
        let list = try home.json(["list-jobs"], shape: nil)
        let job = (list["Jobs"] as? [[String: Any]])?.first
        #expect(job?["JobId"] as? String == id && job?["JobStatus"] as? String == "SUCCEEDED" && job?["API"] as? String == "StartFaceDetection")
        #expect(job?["Results"] as? Int == (all["Faces"] as? [Any])?.count && job?["WorkerPid"] == nil)
        #expect(list["JobStore"] as? String == home.path)
    }

    @Test func runningJobReportsProgressThenSucceeds() throws {
        let home = Home()
        // All 150 frames, the full detector on each (no tracking): the job lasts long enough for the
        // polling below (two commands a round) to see it running, even on a loaded machine.
        let id = try home.start(["--sample-rate", "all", "--detection-interval", "0", Self.sample("face-zoom.mp4")])
        var sawProgress = false
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let doc = try home.get(id)
            guard doc["JobStatus"] as? String == "IN_PROGRESS" else { break }
            #expect(doc["StatusMessage"] == nil, "the service sets StatusMessage only to describe a failure: \(doc)")
            let listed = (try home.json(["list-jobs"], shape: nil)["Jobs"] as? [[String: Any]])?.first
            if listed?["JobStatus"] as? String == "IN_PROGRESS" {
                #expect(listed?["StatusMessage"] == nil)
                if let m = listed?["Progress"] as? String, m.hasPrefix("analysed ") { sawProgress = sawProgress || m.contains(" of 0:00:06.0 of video (") }
            }
            usleep(200_000)
        }
        #expect(sawProgress, "list-jobs says how far the analysis got")
        let done = try home.get(id)
        #expect(done["JobStatus"] as? String == "SUCCEEDED")
        let stamps = (done["Faces"] as? [[String: Any]] ?? []).compactMap { $0["Timestamp"] as? Int }
        #expect(Set(stamps).count == 150, "a face in each of the 150 frames")
    }

    @Test func failedJobHasAStatusMessage() throws {
        let home = Home()
        // The index (moov) is at the front and intact, the frames behind it are zeroed: the file opens,
        // so the start succeeds, and no frame decodes, so the job fails.
        let dir = TestSupport.scratch()
        let good = dir.appendingPathComponent("good.mp4").path, bad = dir.appendingPathComponent("bad.mp4").path
        try TestSupport.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "2", "-c:v", "libx264",
                                "-pix_fmt", "yuv420p", "-movflags", "+faststart", good])
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: good)))
        let mdat = try #require(Self.find(Array("mdat".utf8), in: bytes))
        for i in (mdat + 4)..<bytes.count { bytes[i] = 0 }
        try Data(bytes).write(to: URL(fileURLWithPath: bad))
        let id = try home.start([bad])
        let done = try home.waitForEnd(id)
        #expect(done["JobStatus"] as? String == "FAILED")
        #expect((done["StatusMessage"] as? String ?? "").contains("InvalidImageFormatException"), "\(done)")
        #expect(done["VideoMetadata"] != nil && (done["Faces"] as? [Any])?.isEmpty == true)
    }

    static func find(_ needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        return (0...(hay.count - needle.count)).first { Array(hay[$0..<$0 + needle.count]) == needle }
    }

    // MARK: Pagination

    @Test func pagesConcatenateToTheWholeResult() throws {
        let home = Home()
        // detect --max-results keeps its job; get-face-detection pages it.
        let first = try home.json(["detect", "--max-results", "4", "--sample-rate", "2", Self.sample("several-faces.mp4")], shape: "GetFaceDetection")
        let id = try #require(first["JobId"] as? String)
        let whole = try home.get(id)
        let all = Self.canonical(whole["Faces"] as? [Any] ?? [])
        #expect(all.count >= 20 && whole["NextToken"] == nil)
        #expect(Self.canonical(first["Faces"] as? [Any] ?? []) == Array(all.prefix(4)))
        for n in [1, 3, all.count - 1, all.count, all.count + 1, 1000, 5000] {
            let pages = try home.pages(id, maxResults: n)
            #expect(Self.canonical(Self.faces(pages)) == all, "MaxResults \(n)")
            #expect(pages.count == (all.count + min(n, 1000) - 1) / min(n, 1000), "MaxResults \(n)")
            #expect(pages.allSatisfy { $0["VideoMetadata"] != nil && $0["JobId"] as? String == id }, "VideoMetadata in every page")
        }
        // The token detect printed continues where its page ended; JobId and NextToken are valid request values.
        try TestSupport.requestCheck("GetFaceDetection", ["JobId": id, "MaxResults": 4, "NextToken": first["NextToken"] as! String])
        let next = try home.get(id, ["--max-results", "4", "--next-token", first["NextToken"] as! String])
        #expect(Self.canonical(next["Faces"] as? [Any] ?? []) == Array(all[4..<8]))
        // The same pages as the merged response of a plain detect.
        let merged = try home.json(["detect", "--sample-rate", "2", Self.sample("several-faces.mp4")], shape: "GetFaceDetection")
        #expect(Self.canonical(merged["Faces"] as? [Any] ?? []) == all)
        #expect(merged["JobId"] == nil && merged["NextToken"] == nil)
    }

    @Test func badTokensAndPageSizesAreRejected() throws {
        let home = Home()
        let a = try #require(try home.json(["detect", "--max-results", "2", "--sample-rate", "2", Self.sample("several-faces.mp4")], shape: nil)["JobId"] as? String)
        let b = try #require(try home.json(["detect", "--max-results", "2", "--sample-rate", "1", Self.sample("several-faces.mp4")], shape: nil)["JobId"] as? String)
        let token = try #require(try home.get(a, ["--max-results", "2"])["NextToken"] as? String)
        var chars = Array(token)
        chars[20] = chars[20] == "Q" ? "R" : "Q"
        try home.expectError(["get-face-detection", "--job-id", a, "--next-token", String(chars)], .invalidPaginationToken, mentioning: "was not issued")
        try home.expectError(["get-face-detection", "--job-id", a, "--next-token", String(token.dropLast(2))], .invalidPaginationToken)
        try home.expectError(["get-face-detection", "--job-id", b, "--next-token", token], .invalidPaginationToken, mentioning: "belongs to job \(a)")
        try home.expectError(["get-face-detection", "--job-id", a, "--next-token", "garbage"], .invalidPaginationToken)
        // A token from another store (same video, same parameters).
        let other = Home("other")
        let c = try #require(try other.json(["detect", "--max-results", "2", "--sample-rate", "2", Self.sample("several-faces.mp4")], shape: nil)["JobId"] as? String)
        let foreign = try #require(try other.get(c, ["--max-results", "2"])["NextToken"] as? String)
        try home.expectError(["get-face-detection", "--job-id", a, "--next-token", foreign], .invalidPaginationToken)
        try home.expectError(["get-face-detection", "--job-id", a, "--next-token", String(repeating: "A", count: 256)], .invalidParameter, mentioning: "--next-token")
        try home.expectError(["get-face-detection", "--job-id", a, "--max-results", "0"], .invalidParameter,
                             mentioning: "--max-results accepts a whole number of at least 1, not \"0\"")
        try home.expectError(["get-face-detection", "--job-id", "no/such"], .invalidParameter, mentioning: "--job-id")
        try home.expectError(["get-face-detection", "--job-id", String(repeating: "f", count: 64)], .resourceNotFound, mentioning: "does not exist")
        try home.expectError(["get-face-detection"], .invalidParameter, mentioning: "--job-id")
    }

    /// The README's port of boto3's GetFaceDetection loop, run as written.
    @Test func boto3LoopPortedToShell() throws {
        let home = Home()
        let script = """
        set -eu
        job=$(facescan start-face-detection --sample-rate 2 "$1" | jq -r .JobId)
        token=""
        while :; do
          resp=$(facescan get-face-detection --job-id "$job" --max-results 5 ${token:+--next-token "$token"})
          status=$(echo "$resp" | jq -r .JobStatus)
          if [ "$status" = IN_PROGRESS ]; then sleep 0.2; continue; fi
          [ "$status" = SUCCEEDED ] || { echo "$resp" | jq -r .StatusMessage >&2; exit 1; }
          echo "$resp" | jq -c '.Faces[]'
          token=$(echo "$resp" | jq -r '.NextToken // empty')
          [ -n "$token" ] || break
        done
        """
        var env = home.environment
        env["PATH"] = URL(fileURLWithPath: TestSupport.executable).deletingLastPathComponent().path + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        let r = try TestSupport.run(["bash", "-c", script, "bash", Self.sample("several-faces.mp4")], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) }
        let id = try #require((try home.json(["list-jobs"], shape: nil)["Jobs"] as? [[String: Any]])?.first?["JobId"] as? String)
        #expect(Self.canonical(lines) == Self.canonical(try home.get(id)["Faces"] as? [Any] ?? []))
        #expect(lines.count >= 20)
    }

    // MARK: Idempotency and limits

    @Test func clientRequestTokenIdempotency() throws {
        let home = Home()
        let args = ["--client-request-token", "nightly-2024_01", "--sample-rate", "1", Self.sample("no-face.mp4")]
        let id = try home.start(args)
        #expect(try home.start(args) == id)
        try TestSupport.requestCheck("StartFaceDetection", ["Video": ["S3Object": ["Bucket": "local", "Name": Self.sample("no-face.mp4")]],
                                                     "ClientRequestToken": "nightly-2024_01", "JobTag": "run:1/a.b+c=d",
                                                     "FaceAttributes": "ALL"])
        _ = try home.waitForEnd(id)
        #expect(try home.start(args) == id, "still the same job once it ended")
        #expect((try home.json(["list-jobs"], shape: nil)["Jobs"] as? [Any])?.count == 1, "the repeats started nothing")
        try home.expectError(["start-face-detection", "--client-request-token", "nightly-2024_01", "--sample-rate", "2", Self.sample("no-face.mp4")],
                             .idempotentParameterMismatch, mentioning: id)
        try home.expectError(["start-face-detection", "--client-request-token", "nightly-2024_01", "--job-tag", "x", "--sample-rate", "1",
                              Self.sample("no-face.mp4")], .idempotentParameterMismatch)
        try home.expectError(["start-face-detection", "--client-request-token", "bad token", Self.sample("no-face.mp4")], .invalidParameter)
        try home.expectError(["start-face-detection", "--job-tag", "no spaces", Self.sample("no-face.mp4")], .invalidParameter, mentioning: "--job-tag")
        try home.expectError(["start-face-detection", "--face-attributes", "SOME", Self.sample("no-face.mp4")], .invalidParameter)
    }

    @Test func limitsOnJobsAndInputs() throws {
        var home = Home()
        home.extra["FACESCAN_MAX_JOBS"] = "1"
        let running = try home.start(Self.longJob)
        try home.expectError(["start-face-detection", Self.sample("no-face.mp4")], .limitExceeded, mentioning: "limit is 1")
        try home.expectError(["detect", Self.sample("no-face.mp4")], .limitExceeded)
        let deleted = try home.json(["delete-job", "--job-id", running], shape: nil)
        #expect(deleted["JobStatus"] as? String == "IN_PROGRESS")
        _ = try home.start(["--sample-rate", "1", Self.sample("no-face.mp4")])
        home.extra["FACESCAN_MAX_JOBS"] = "none"
        try home.expectError(["start-face-detection", Self.sample("no-face.mp4")], .invalidParameter, mentioning: "FACESCAN_MAX_JOBS")
        // Over 10 GB (a sparse file: no disk used).
        let big = TestSupport.scratch().appendingPathComponent("big.mp4").path
        _ = FileManager.default.createFile(atPath: big, contents: Data([0]))
        truncate(big, 10 * 1_000_000_000 + 1)
        try Home().expectError(["start-face-detection", big], .videoTooLarge, mentioning: "10 GB")
        try Home().expectError(["start-face-detection", "/nonexistent/clip.mp4"], .invalidS3Object, mentioning: "unable to access the object")
    }

    // MARK: Workers

    @Test func killedWorkerIsReportedFailed() throws {
        let home = Home()
        let note = TestSupport.scratch().appendingPathComponent("note.json").path
        let id = try home.start(["--notification-command", "cat > '\(note)'"] + Self.longJob)
        let pid = try home.workerPid(id)
        #expect(pid != 0)
        kill(pid, SIGKILL)
        let deadline = Date().addingTimeInterval(10)
        var doc: [String: Any] = [:]
        repeat {
            doc = try home.get(id)
            if doc["JobStatus"] as? String != "IN_PROGRESS" { break }
            usleep(50_000)
        } while Date() < deadline
        #expect(doc["JobStatus"] as? String == "FAILED")
        #expect((doc["StatusMessage"] as? String ?? "").contains("worker process (pid \(pid))"), "\(doc)")
        #expect(try home.get(id)["JobStatus"] as? String == "FAILED", "stays FAILED")
        let message = try JobStoreTests.waitForFile(note)
        #expect(message["Status"] as? String == "FAILED" && message["JobId"] as? String == id)
    }

    @Test func concurrentProcessesStartAndRead() throws {
        let home = Home()
        let n = 6
        let results = ResultsBox(n * 2)
        DispatchQueue.concurrentPerform(iterations: n * 2) { i in
            // Half start with one shared token, half with their own; list-jobs and get run meanwhile.
            let token = i % 2 == 0 ? "shared" : "own-\(i)"
            let r = try? home.run(["start-face-detection", "--client-request-token", token, "--sample-rate", "1", Self.sample("no-face.mp4")])
            _ = try? home.run(["list-jobs"])
            results.set(i, r)
        }
        var ids: [Int: String] = [:]
        for i in 0..<(n * 2) {
            let r = try #require(results.get(i))
            #expect(r.status == 0, "\(r.stderr)")
            ids[i] = try parseJSON(r.stdout)["JobId"] as? String
        }
        let shared = Set((0..<(n * 2)).filter { $0 % 2 == 0 }.compactMap { ids[$0] })
        #expect(shared.count == 1, "one job for the shared token: \(shared)")
        let own = Set((0..<(n * 2)).filter { $0 % 2 == 1 }.compactMap { ids[$0] })
        #expect(own.count == n && own.isDisjoint(with: shared))
        // Read every job from several processes at once until all ended.
        let all = Array(shared.union(own))
        DispatchQueue.concurrentPerform(iterations: all.count) { i in
            let doc = try? home.waitForEnd(all[i])
            #expect(doc?["JobStatus"] as? String == "SUCCEEDED")
        }
        let jobs = try home.json(["list-jobs"], shape: nil)["Jobs"] as? [[String: Any]] ?? []
        #expect(jobs.count == n + 1 && jobs.allSatisfy { $0["JobStatus"] as? String == "SUCCEEDED" })
    }

    final class ResultsBox: @unchecked Sendable {
        private var items: [TestSupport.Result?]
        private let lock = NSLock()
        init(_ n: Int) { items = Array(repeating: nil, count: n) }
        func set(_ i: Int, _ r: TestSupport.Result?) { lock.lock(); items[i] = r; lock.unlock() }
        func get(_ i: Int) -> TestSupport.Result? { lock.lock(); defer { lock.unlock() }; return items[i] }
    }

    @Test func notificationCommandGetsTheCompletionMessage() throws {
        let home = Home()
        let dir = TestSupport.scratch()
        // Runs in the directory the job was started in: a relative path lands there.
        let r = try TestSupport.run(["sh", "-c", "cd '\(dir.path)' && exec \"$@\"", "sh", TestSupport.executable, "start-face-detection",
                                     "--job-tag", "tag.1", "--notification-command", "cat > message.json; echo done >&2",
                                     "--sample-rate", "1", Self.sample("no-face.mp4")], environment: home.environment)
        #expect(r.status == 0, "\(r.stderr)")
        let id = try #require(try parseJSON(r.stdout)["JobId"] as? String)
        let message = try JobStoreTests.waitForFile(dir.appendingPathComponent("message.json").path)
        #expect(Array(message.keys).sorted() == ["API", "JobId", "JobTag", "Status", "Timestamp", "Video"])
        #expect(message["JobId"] as? String == id && message["Status"] as? String == "SUCCEEDED")
        #expect(message["API"] as? String == "StartFaceDetection" && message["JobTag"] as? String == "tag.1")
        #expect((message["Video"] as? [String: Any])?["S3ObjectName"] as? String == Self.sample("no-face.mp4"))
        let stamp = try #require(message["Timestamp"] as? Int)
        #expect(abs(Double(stamp) / 1000 - Date().timeIntervalSince1970) < 60, "epoch milliseconds")
    }

    // MARK: Store

    /// Runs a command with the store read-only: as root (whom permissions do not stop) on a read-only
    /// bind mount in a private mount namespace, otherwise with the write permission taken away.
    static func readOnly(_ home: Home, _ args: [String]) throws -> TestSupport.Result {
        if geteuid() == 0 {
            let script = "mount --bind -o ro \"$FACESCAN_HOME\" \"$FACESCAN_HOME\" && exec \"$@\""
            return try TestSupport.run(["unshare", "-m", "sh", "-c", script, "sh", TestSupport.executable] + args, environment: home.environment)
        }
        chmod(home.path, 0o500)
        defer { chmod(home.path, 0o700) }
        return try home.run(args)
    }

    @Test func readOnlyStoreIsACleanError() throws {
        let home = Home()
        let id = try #require(try home.json(["detect", "--max-results", "2", "--sample-rate", "2", Self.sample("several-faces.mp4")], shape: nil)["JobId"] as? String)
        let probe = try Self.readOnly(home, ["list-jobs"])
        try #require(probe.status == 0, "cannot make a read-only store here: \(probe.stderr)")
        for args in [["start-face-detection", Self.sample("no-face.mp4")], ["detect", Self.sample("no-face.mp4")], ["delete-job", "--job-id", id]] {
            try Self.expectError(try Self.readOnly(home, args), args, .accessDenied, mentioning: home.path)
        }
        // Reading still works, tokens included.
        let page = try Self.readOnly(home, ["get-face-detection", "--job-id", id, "--max-results", "2"])
        #expect(page.status == 0, "\(page.stderr)")
        let token = try #require(try parseJSON(page.stdout)["NextToken"] as? String)
        let next = try Self.readOnly(home, ["get-face-detection", "--job-id", id, "--max-results", "2", "--next-token", token])
        #expect(next.status == 0, "\(next.stderr)")
        #expect((try parseJSON(next.stdout)["Faces"] as? [Any])?.count == 2)
        // A store that cannot even be created.
        var nowhere = Home()
        nowhere.extra["FACESCAN_HOME"] = "/sys/facescan-store"
        try nowhere.expectError(["start-face-detection", Self.sample("no-face.mp4")], .accessDenied, mentioning: "/sys/facescan-store")
    }

    @Test func deleteJobRemovesItsResultsAndTokens() throws {
        let home = Home()
        let id = try home.start(["--client-request-token", "t1", "--sample-rate", "1", Self.sample("no-face.mp4")])
        _ = try home.waitForEnd(id)
        let deleted = try home.json(["delete-job", "--job-id", id], shape: nil)
        #expect(deleted["JobId"] as? String == id && deleted["JobStatus"] as? String == "SUCCEEDED")
        try home.expectError(["get-face-detection", "--job-id", id], .resourceNotFound)
        try home.expectError(["delete-job", "--job-id", id], .resourceNotFound)
        #expect((try home.json(["list-jobs"], shape: nil)["Jobs"] as? [Any])?.isEmpty == true)
        #expect(try home.start(["--client-request-token", "t1", "--sample-rate", "1", Self.sample("no-face.mp4")]) != id, "the token is free again")
        // A damaged record: a clean error, listed as damaged, deletable.
        let other = try home.start(["--sample-rate", "1", Self.sample("no-face.mp4")])
        _ = try home.waitForEnd(other)
        try Data("{oops".utf8).write(to: URL(fileURLWithPath: home.path + "/jobs/\(other)/job.json"))
        try home.expectError(["get-face-detection", "--job-id", other], .internalServerError, mentioning: "damaged")
        let listed = try home.json(["list-jobs"], shape: nil)["Jobs"] as? [[String: Any]] ?? []
        #expect(listed.contains { $0["JobId"] as? String == other && ($0["StatusMessage"] as? String ?? "").contains("damaged") })
        _ = try home.json(["delete-job", "--job-id", other], shape: nil)
    }

    // MARK: detect

    @Test func detectStreamsPagesAsJSONLines() throws {
        let home = Home()
        let r = try home.run(["detect", "--output", "jsonl", "--max-results", "5", Self.sample("several-faces.mp4")])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let docs = try lines.map { try parseJSON($0) }
        for line in lines { try TestSupport.shapeCheck("GetFaceDetection", line) }
        #expect(docs.count >= 10, "several pages of 5 out of about 60 faces")
        #expect(docs.dropLast().allSatisfy { $0["JobStatus"] as? String == "IN_PROGRESS" && ($0["Faces"] as? [Any])?.count == 5 },
                "every page but the last was printed while the analysis went on")
        #expect(docs.last?["JobStatus"] as? String == "SUCCEEDED" && docs.last?["NextToken"] == nil)
        let id = try #require(docs.first?["JobId"] as? String)
        // The lines are the pages get-face-detection serves, NextTokens included.
        let pages = try home.pages(id, maxResults: 5)
        #expect(Self.canonical(Self.faces(docs)) == Self.canonical(Self.faces(pages)))
        #expect(docs.map { $0["NextToken"] as? String } == pages.map { $0["NextToken"] as? String })
        // Without --max-results: pages of 1000, here one line.
        let one = try home.run(["detect", "--output", "jsonl", "--sample-rate", "1", Self.sample("no-face.mp4")])
        #expect(one.status == 0 && one.stdout.split(separator: "\n").count == 1, "\(one.stderr)")
        try TestSupport.shapeCheck("GetFaceDetection", one.stdout)
    }

    @Test func interruptedDetectStopsAndCleansUp() throws {
        for (args, kept) in [([String](), false), (["--output", "jsonl"], true)] {
            let home = Home()
            let p = Process()
            p.executableURL = URL(fileURLWithPath: TestSupport.executable)
            p.arguments = ["detect"] + args + Self.longJob
            p.environment = home.environment
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            usleep(800_000)
            p.interrupt()
            p.waitUntilExit()
            #expect(p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGINT, "ended by the signal")
            let jobs = try home.json(["list-jobs"], shape: nil)["Jobs"] as? [[String: Any]] ?? []
            if kept {
                #expect(jobs.count == 1 && jobs.first?["JobStatus"] as? String == "FAILED")
                #expect((jobs.first?["StatusMessage"] as? String ?? "").contains("interrupted"))
            } else {
                #expect(jobs.isEmpty, "the merged output's job is deleted")
            }
        }
    }

    @Test func mergedDetectLeavesNoJob() throws {
        let home = Home()
        let doc = try home.json(["detect", "--sample-rate", "1", "--face-attributes", "ALL", Self.sample("face-zoom.mp4")], shape: "GetFaceDetection")
        #expect((doc["Faces"] as? [Any])?.count == 6 && doc["JobId"] == nil)
        #expect((try home.json(["list-jobs"], shape: nil)["Jobs"] as? [Any])?.isEmpty == true)
        try home.expectError(["detect", "/nonexistent/clip.mp4"], .invalidS3Object, mentioning: "/nonexistent/clip.mp4 does not exist")
        #expect((try home.json(["list-jobs"], shape: nil)["Jobs"] as? [Any])?.isEmpty == true, "a failed detect leaves no job")
    }
}

/// The streaming run that jobs use gives exactly what `FaceDetectionPipeline.run` gives.
@Suite struct JobPipelineParityTests {
    @Test func streamingRunMatchesRun() throws {
        var request = FaceDetectionRequest(path: JobCommandTests.sample("several-faces.mp4"))
        request.sampling = .rate(2)
        let pipeline = try FaceDetectionPipeline(threads: 1)
        let whole = try pipeline.run(request)
        var streamed: [FaceDetection] = []
        var frames: [Int64] = []
        let summary = try pipeline.stream(request, frame: { timestamp, faces in
            frames.append(timestamp)
            streamed += faces
        })
        #expect(streamed.map { $0.json.rendered() } == whole.faces.map { $0.json.rendered() })
        #expect(summary.framesAnalysed == whole.framesAnalysed && frames.count == whole.framesAnalysed)
        #expect(summary.metadata == whole.metadata && summary.warnings == whole.warnings)
    }
}
