import Foundation
import Testing
@testable import FaceScan

/// The job store as a library: tokens, result pages in several orders, record transitions, worker
/// identity, idempotency and limits. No analysis runs here (jobs are filled by hand); the verbs and
/// real workers are tested through the executable in JobCommandTests.
@Suite struct JobStoreTests {
    /// A job kind with two orders, standing in for GetFaceSearch (TIMESTAMP and INDEX).
    static let twoOrders = VideoJobOperation(startAPI: "StartTestJob", getAPI: "GetTestJob", itemsKey: "Persons",
                                             sortOrders: ["TIMESTAMP", "INDEX"], nextTokenFirst: true, run: { _, _ in })

    static func store(limit: Int = 20) -> JobStore {
        JobStore(directory: TestSupport.scratch("store").path + "/home", maxConcurrentJobs: limit)
    }

    static func item(_ i: Int) -> JSON {
        .object([("Timestamp", .integer(Int64(i * 200))), ("Person", .object([("Index", .integer(Int64(i % 3)))]))])
    }

    /// A SUCCEEDED job of `twoOrders` with `n` items; INDEX order sorts by Index, then Timestamp.
    static func filledJob(_ store: JobStore, _ n: Int, api: String = "StartTestJob") throws -> String {
        let id = try store.start(JobRequest(api: api, video: "/x/\(n).mp4")).record.jobId
        let writer = try ResultWriter(directory: store.jobDirectory(id))
        for i in 0..<n { try writer.append([item(i).rendered()]) }
        if api == "StartTestJob" {
            try writer.addOrder("INDEX", permutation: (0..<n).sorted { ($0 % 3, $0) < ($1 % 3, $1) })
        }
        try writer.finish()
        try store.finish(id, expectedWorker: .current, status: .succeeded, itemCount: n)
        return id
    }

    /// Every page of a job in an order, following NextToken.
    static func allPages(_ store: JobStore, _ id: String, sortBy: String, maxResults: Int) throws -> [VideoJobPageResponse] {
        var pages: [VideoJobPageResponse] = []
        var token: String? = nil
        repeat {
            let page = try store.page(id, operation: twoOrders, sortBy: sortBy, maxResults: maxResults, nextToken: token)
            pages.append(page)
            token = page.nextToken
        } while token != nil && pages.count < 10_000
        return pages
    }

    static func expectAPIError(_ kind: APIError.Kind, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected \(kind.rawValue)")
        } catch let e as APIError {
            #expect(e.kind == kind, "\(e)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func tokenRoundTripAndTampering() throws {
        let key = (0..<32).map { UInt8($0) }
        let token = PaginationToken(jobId: String(repeating: "a", count: 64), order: 1, position: 123_456)
        let text = token.encoded(key: key)
        #expect(text.count <= 255)
        #expect(text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        #expect(PaginationToken.decode(text, key: key) == token)
        // Any one character changed, any truncation, another key: rejected.
        let chars = Array(text)
        for i in chars.indices {
            var modified = chars
            modified[i] = modified[i] == "A" ? "B" : "A"
            #expect(PaginationToken.decode(String(modified), key: key) == nil, "changed at \(i)")
        }
        for n in 0..<chars.count { #expect(PaginationToken.decode(String(chars.prefix(n)), key: key) == nil) }
        #expect(PaginationToken.decode(text, key: key.reversed()) == nil)
        #expect(PaginationToken.decode(text + "A", key: key) == nil)
        #expect(PaginationToken.decode("not a token!", key: key) == nil)
    }

    @Test func base64URLRoundTrip() {
        for n in 0..<40 {
            let bytes = (0..<n).map { UInt8(($0 * 37 + n) & 0xff) }
            #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
        }
        #expect(Base64URL.decode("A") == nil)
        #expect(Base64URL.decode("AA") == [0] && Base64URL.decode("AQ") == [1])
        #expect(Base64URL.decode("AB") == nil, "non-zero unused bits: a second spelling of the same bytes")
    }

    @Test func jsonParsingKeepsOrderAndRendering() throws {
        let samples: [JSON] = [
            .object([("Timestamp", .integer(1200)), ("Face", .object([("BoundingBox", .object([
                ("Width", .float(0.062380772)), ("Height", .float(1e-05)), ("Left", .float(0)), ("Top", .float(0.99999994)),
            ])), ("Confidence", .float(87.31875))]))]),
            .array([.string("a\"b\\c\n\u{1}é😀"), .bool(true), .bool(false), .null, .integer(-5), .double(-2.5e-7), .object([])]),
        ]
        for s in samples {
            #expect(try JSON(parsing: s.rendered()).rendered() == s.rendered())
            #expect(try JSON(parsing: s.rendered(pretty: true)).rendered(pretty: true) == s.rendered(pretty: true))
        }
        for bad in ["", "{", "[1,]", "{\"a\" 1}", "\"abc", "tru", "1 2", "{\"a\":1}}", "\"\\ud800\""] {
            #expect(throws: APIError.self) { try JSON(parsing: bad) }
        }
    }

    @Test func pagesConcatenateInBothOrders() throws {
        let store = Self.store()
        let n = 23
        let id = try Self.filledJob(store, n)
        let all = (0..<n).map { Self.item($0).rendered() }
        let byIndex = (0..<n).sorted { ($0 % 3, $0) < ($1 % 3, $1) }.map { Self.item($0).rendered() }
        for (order, expected) in [("TIMESTAMP", all), ("INDEX", byIndex)] {
            for size in [1, 2, 5, 22, 23, 24, 1000, 5000] {
                let pages = try Self.allPages(store, id, sortBy: order, maxResults: size)
                #expect(pages.count == max(1, (n + min(size, 1000) - 1) / min(size, 1000)), "\(order) \(size)")
                #expect(pages.flatMap { $0.items.map { $0.rendered() } } == expected, "\(order) \(size)")
                #expect(pages.allSatisfy { $0.jobStatus == .succeeded && $0.jobId == id })
                #expect(pages.dropLast().allSatisfy { $0.items.count == min(size, 1000) })
            }
        }
        // GetFaceSearch's member order: NextToken before VideoMetadata.
        let first = try store.page(id, operation: Self.twoOrders, maxResults: 2)
        #expect(first.json.members?.map(\.0) == ["JobStatus", "NextToken", "Persons", "JobId"])
    }

    @Test func tokensAreBoundToJobOrderAndStore() throws {
        let store = Self.store()
        let a = try Self.filledJob(store, 10), b = try Self.filledJob(store, 10)
        let tokenA = try #require(try store.page(a, operation: Self.twoOrders, maxResults: 3).nextToken)
        let second = try store.page(a, operation: Self.twoOrders, maxResults: 3, nextToken: tokenA)
        #expect(second.items.first?.rendered() == Self.item(3).rendered())
        // Another job, another order, a modified or truncated token, another store's token.
        Self.expectAPIError(.invalidPaginationToken) { _ = try store.page(b, operation: Self.twoOrders, maxResults: 3, nextToken: tokenA) }
        Self.expectAPIError(.invalidPaginationToken) {
            _ = try store.page(a, operation: Self.twoOrders, sortBy: "INDEX", maxResults: 3, nextToken: tokenA)
        }
        var chars = Array(tokenA)
        chars[chars.count / 2] = chars[chars.count / 2] == "x" ? "y" : "x"
        Self.expectAPIError(.invalidPaginationToken) { _ = try store.page(a, operation: Self.twoOrders, nextToken: String(chars)) }
        Self.expectAPIError(.invalidPaginationToken) { _ = try store.page(a, operation: Self.twoOrders, nextToken: String(tokenA.dropLast(3))) }
        let other = Self.store()
        let c = try Self.filledJob(other, 10)
        let foreign = try #require(try other.page(c, operation: Self.twoOrders, maxResults: 3).nextToken)
        Self.expectAPIError(.invalidPaginationToken) { _ = try store.page(a, operation: Self.twoOrders, nextToken: foreign) }
        // A token naming a position past the end, signed with the right key (only a bug could make one).
        let key = try #require(try store.backend.secretKey(create: false))
        let past = PaginationToken(jobId: a, order: 0, position: 11).encoded(key: key)
        Self.expectAPIError(.invalidPaginationToken) { _ = try store.page(a, operation: Self.twoOrders, nextToken: past) }
        // MaxResults below 1, an unknown order, an unknown job, a job of another operation.
        Self.expectAPIError(.invalidParameter) { _ = try store.page(a, operation: Self.twoOrders, maxResults: 0) }
        Self.expectAPIError(.invalidParameter) { _ = try store.page(a, operation: Self.twoOrders, sortBy: "NAME") }
        Self.expectAPIError(.resourceNotFound) { _ = try store.page(String(repeating: "0", count: 64), operation: Self.twoOrders) }
        Self.expectAPIError(.resourceNotFound) { _ = try store.page(a, operation: .faceDetection) }
    }

    @Test func idempotencyByClientRequestToken() throws {
        let store = Self.store()
        let request = JobRequest(api: "StartTestJob", video: "/v.mp4", jobTag: "t", parameters: ["SampleRate": "5.0"])
        let first = try store.start(request, clientRequestToken: "tok-1")
        #expect(first.created)
        let again = try store.start(request, clientRequestToken: "tok-1")
        #expect(!again.created && again.record.jobId == first.record.jobId)
        var other = request
        other.parameters["SampleRate"] = "1.0"
        Self.expectAPIError(.idempotentParameterMismatch) { _ = try store.start(other, clientRequestToken: "tok-1") }
        other = request
        other.jobTag = "u"
        Self.expectAPIError(.idempotentParameterMismatch) { _ = try store.start(other, clientRequestToken: "tok-1") }
        // Another token, or none, starts another job; a deleted job frees its token.
        #expect(try store.start(request, clientRequestToken: "tok-2").record.jobId != first.record.jobId)
        #expect(try store.start(request).created)
        try store.delete(first.record.jobId)
        let fresh = try store.start(request, clientRequestToken: "tok-1")
        #expect(fresh.created && fresh.record.jobId != first.record.jobId)
        Self.expectAPIError(.invalidParameter) { _ = try store.start(request, clientRequestToken: "bad token") }
    }

    @Test func detectionParametersHaveOneNormalForm() throws {
        var a = FaceDetectionRequest(path: "/v.mp4")
        a.sampling = .rate(5)
        let b = FaceDetectionRequest(path: "/v.mp4")
        #expect(FaceDetectionJob.jobRequest(a) == FaceDetectionJob.jobRequest(b), "the default written out equals the default left out")
        a.start = 2000; a.end = 4000; a.minConfidence = 80; a.faceAttributes = .all; a.sampling = .everyFrame
        let back = try FaceDetectionJob.detectionRequest(FaceDetectionJob.jobRequest(a))
        #expect(back.start == 2000 && back.end == 4000 && back.minConfidence == 80 && back.faceAttributes == .all && back.sampling == .everyFrame)
        var damaged = FaceDetectionJob.jobRequest(a)
        damaged.parameters["SampleRate"] = "fast"
        #expect(throws: APIError.self) { try FaceDetectionJob.detectionRequest(damaged) }
    }

    @Test func limitCountsRunningJobsOnly() throws {
        let store = Self.store(limit: 2)
        let request = JobRequest(api: "StartTestJob", video: "/v.mp4")
        let a = try store.start(request).record.jobId
        _ = try store.start(request)
        Self.expectAPIError(.limitExceeded) { _ = try store.start(request) }
        try store.finish(a, expectedWorker: .current, status: .failed, message: "stopped")
        #expect(try store.start(request).created, "an ended job frees its place")
        Self.expectAPIError(.limitExceeded) { _ = try store.start(request) }
    }

    @Test func workerIdentity() throws {
        let me = WorkerIdentity.current
        #expect(me.isAlive && me.pid == getpid() && me.startTime > 0 && !me.bootId.isEmpty)
        var reused = me
        reused.startTime += 1  // same pid, another process: pid reuse
        #expect(!reused.isAlive)
        var rebooted = me
        rebooted.bootId = "00000000-0000-0000-0000-000000000000"
        #expect(!rebooted.isAlive)
        #expect(WorkerIdentity.of(pid: 0) == nil && WorkerIdentity.of(pid: Int32.max) == nil)
        // A child that exited and is not reaped yet (a zombie) is dead.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        let child = WorkerIdentity.of(pid: p.processIdentifier)
        p.waitUntilExit()
        #expect(child.map { !$0.isAlive } ?? true)
    }

    @Test func deadWorkerIsReportedFailedOnceWithItsNotification() throws {
        let store = Self.store()
        let note = TestSupport.scratch("note").appendingPathComponent("message.json").path
        let request = JobRequest(api: "StartTestJob", video: "/v.mp4", jobTag: "tag-1", notificationCommand: "cat > '\(note)'")
        let id = try store.start(request).record.jobId
        try store.update(id) { r in
            r.worker = WorkerIdentity(pid: getpid(), startTime: 1, bootId: WorkerIdentity.bootId)  // a worker long gone
            return true
        }
        let r = try store.record(id)
        #expect(r.status == .failed && r.statusMessage?.contains("worker process") == true)
        #expect(r.completionTimestamp != nil && r.notified)
        let page = try store.page(id, operation: Self.twoOrders)
        #expect(page.jobStatus == .failed && page.items.isEmpty && page.nextToken == nil)
        let message = try Self.waitForFile(note)
        #expect(message["JobId"] as? String == id && message["Status"] as? String == "FAILED")
        #expect(message["API"] as? String == "StartTestJob" && message["JobTag"] as? String == "tag-1")
        #expect((message["Video"] as? [String: Any])?["S3ObjectName"] as? String == "/v.mp4")
        #expect(message["Timestamp"] as? Int == Int(r.completionTimestamp!))
        // Ended once: a second finish changes nothing.
        #expect(try store.finish(id, expectedWorker: r.worker, status: .succeeded, itemCount: 0) == nil)
        #expect(try store.record(id).status == .failed)
    }

    @Test func damagedRecordIsACleanErrorAndCanBeDeleted() throws {
        let store = Self.store()
        let id = try Self.filledJob(store, 4)
        try Data("{\"half a rec".utf8).write(to: URL(fileURLWithPath: (store.backend as! DirectoryJobBackend).recordPath(id)))
        Self.expectAPIError(.internalServerError) { _ = try store.page(id, operation: Self.twoOrders) }
        guard case .damaged(let listed, _)? = try store.list().first else { Issue.record("not listed as damaged"); return }
        #expect(listed == id)
        try store.delete(id)
        Self.expectAPIError(.resourceNotFound) { _ = try store.record(id) }
        // Damaged results: a short index file.
        let other = try Self.filledJob(store, 4)
        truncate(store.jobDirectory(other) + "/items.idx", 12)
        Self.expectAPIError(.internalServerError) { _ = try store.page(other, operation: Self.twoOrders) }
    }

    static func waitForFile(_ path: String, timeout: Double = 10) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let data = FileManager.default.contents(atPath: path), !data.isEmpty,
               let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
                return obj
            }
            usleep(20_000)
        }
        throw TestFailure("\(path) did not appear within \(timeout) s")
    }
}
