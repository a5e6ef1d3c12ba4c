import Foundation
import Testing
@testable import FaceScan

/// The job store under faults: a file system that fills up, workers killed (SIGKILL) at random points of
/// their writes, twenty writers at once. What must hold: no committed result is lost, no record becomes
/// unreadable, reads keep working, and nothing half-made is left behind.
@Suite(.serialized) struct StoreFaultTests {
    typealias Home = JobCommandTests.Home

    /// A 3 MB tmpfs (mounting needs root; CI runs as root). Nil where mounting is not allowed.
    static func smallFileSystem() -> String? {
        let dir = TestSupport.scratch("tmpfs").path
        let r = try? TestSupport.run(["mount", "-t", "tmpfs", "-o", "size=3m,mode=0700", "tmpfs", dir])
        return r?.status == 0 ? dir : nil
    }

    static func fill(_ dir: String) {
        _ = try? TestSupport.run(["sh", "-c", "dd if=/dev/zero of='\(dir)/fill' bs=4k 2>/dev/null; true"])
    }

    @Test func aFullFileSystemKeepsTheStoreReadable() throws {
        guard let fs = Self.smallFileSystem() else {
            print("skipped: cannot mount a tmpfs here (not root?): the full-disk test needs one")
            return
        }
        defer { _ = try? TestSupport.run(["umount", "-l", fs]) }
        var home = Home()
        home.extra["FACESCAN_HOME"] = fs + "/store"
        let sample = JobCommandTests.sample("several-faces.mp4")
        // A finished job, and its pages, before the disk fills.
        let done = try home.start(["--sample-rate", "2", sample])
        _ = try home.waitForEnd(done)
        let before = JobCommandTests.canonical(JobCommandTests.faces(try home.pages(done, maxResults: 3)))
        #expect(before.count >= 10)
        // A running job when the disk fills.
        let running = try home.start(["--sample-rate", "all", JobCommandTests.sample("face-zoom.mp4")])
        usleep(300_000)
        Self.fill(fs)
        // Starting a job fails cleanly and leaves nothing behind.
        let jobsBefore = try FileManager.default.contentsOfDirectory(atPath: fs + "/store/jobs").sorted()
        let failed = try home.run(["start-face-detection", "--client-request-token", "full", sample])
        #expect(failed.status == APIError.Kind.internalServerError.exitCode && failed.stdout.isEmpty, "\(failed.stderr)")
        #expect(try parseJSON(failed.stderr)["Message"] as? String ?? "" != "", "one JSON error")
        #expect(try FileManager.default.contentsOfDirectory(atPath: fs + "/store/jobs").sorted() == jobsBefore, "no half-made job")
        #expect(!FileManager.default.fileExists(atPath: fs + "/store/tokens/full"))
        // Reads go on: the finished job's pages are all there; the running one ends FAILED, read as such.
        #expect(JobCommandTests.canonical(JobCommandTests.faces(try home.pages(done, maxResults: 3))) == before)
        let end = try home.waitForEnd(running)
        #expect(end["JobStatus"] as? String == "FAILED", "\(end)")
        let listed = try home.json(["list-jobs"], shape: nil)["Jobs"] as? [[String: Any]] ?? []
        #expect(listed.count == 2 && listed.allSatisfy { ($0["StatusMessage"] as? String ?? "").contains("damaged") == false })
        // Room again: the store works as before.
        unlink(fs + "/fill")
        let again = try home.start(["--sample-rate", "1", JobCommandTests.sample("no-face.mp4")])
        #expect(try home.waitForEnd(again)["JobStatus"] as? String == "SUCCEEDED")
    }

    /// Every item of a job, read through the library (pages of 7, following NextToken).
    static func items(_ store: JobStore, _ id: String) throws -> [String] {
        var out: [String] = [], token: String? = nil
        repeat {
            let page = try store.page(id, operation: .faceDetection, maxResults: 7, nextToken: token)
            out += page.items.map { $0.rendered() }
            token = page.nextToken
        } while token != nil
        return out
    }

    /// Waits (reading the store in this process) until the job is no longer IN_PROGRESS.
    static func waitForEnd(_ store: JobStore, _ id: String) throws -> JobRecord {
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let r = try store.record(id)
            if r.status != .inProgress { return r }
            usleep(20_000)
        }
        throw TestFailure("job \(id) still IN_PROGRESS")
    }

    /// 100 workers killed with SIGKILL at random moments (loading, analysing, writing results, recording
    /// the end): every job then reads as FAILED (its worker is gone) or SUCCEEDED with exactly the
    /// results of an undisturbed run; no record is ever unreadable. Two trials run at a time.
    @Test func workersKilledAtRandomPointsLoseNothingCommitted() throws {
        var home = Home()
        home.extra["FACESCAN_MAX_JOBS"] = "200"
        let store = JobStore(directory: home.path)
        let args = ["start-face-detection", "--sample-rate", "2", JobCommandTests.sample("several-faces.mp4")]
        let reference = try #require(try parseJSON(try home.run(args).stdout)["JobId"] as? String)
        let expected = try Self.items(store, try Self.waitForEnd(store, reference).jobId)
        #expect(expected.count >= 10)
        let outcomes = IdsBox(100)
        DispatchQueue.concurrentPerform(iterations: 2) { lane in
            var generator = SystemRandomNumberGenerator()
            for trial in stride(from: lane, to: 100, by: 2) {
                do {
                    let id = try #require(try parseJSON(try home.run(args).stdout)["JobId"] as? String)
                    // The worker's pid, once it has recorded itself (the start command records its own first).
                    var pid: Int32 = 0
                    for _ in 0..<500 {
                        let r = try store.record(id)
                        if r.status != .inProgress { break }
                        if let w = r.worker, w.pid != getpid() && w.pid != 0 { pid = w.pid; break }
                        usleep(2_000)
                    }
                    if pid > 0 {
                        usleep(UInt32.random(in: 0...1_000_000, using: &generator))
                        kill(pid, SIGKILL)
                    }
                    let end = try Self.waitForEnd(store, id)
                    outcomes.set(trial, end.status.rawValue)
                    if end.status == .succeeded {
                        #expect(try Self.items(store, id) == expected, "trial \(trial): a SUCCEEDED job has all its results")
                    } else {
                        let page = try store.page(id, operation: .faceDetection)
                        #expect(end.status == .failed && page.items.isEmpty, "trial \(trial)")
                    }
                    _ = try store.delete(id)
                } catch {
                    Issue.record("trial \(trial): \(error)")
                }
            }
        }
        let counts = Dictionary(grouping: (0..<100).compactMap { outcomes.get($0) }, by: { $0 }).mapValues(\.count)
        print("kill -9 of 100 workers at random points: \(counts)")
        let listed = try store.list()
        #expect(listed.count == 1, "only the reference job is left: \(listed.count)")
        for entry in listed { if case .damaged = entry { Issue.record("an unreadable record") } }
        #expect(counts.values.reduce(0, +) == 100 && (counts["FAILED"] ?? 0) >= 20 && (counts["SUCCEEDED"] ?? 0) >= 5, "\(counts)")
    }

    /// Twenty writers at once on one store (threads, each with its own file descriptors and locks, as
    /// processes have): starts with shared and own tokens, progress updates, results, ends and deletes.
    @Test func twentyConcurrentWriters() throws {
        let store = JobStoreTests.store(limit: 1000)
        let n = 20
        let box = IdsBox(n)
        DispatchQueue.concurrentPerform(iterations: n) { i in
            do {
                let token = i % 4 == 0 ? "shared" : "own-\(i)"
                let started = try store.start(JobRequest(api: "StartTestJob", video: i % 4 == 0 ? "/shared.mp4" : "/x/\(i).mp4"),
                                              clientRequestToken: token)
                let id = started.record.jobId
                box.set(i, id)
                guard started.created else { return }
                let writer = try ResultWriter(directory: store.jobDirectory(id))
                for k in 0..<50 {
                    try store.update(id) { r in r.progress = JobProgress(frames: k, positionMillis: Int64(k * 40), durationMillis: 2000); return true }
                    try writer.append([JobStoreTests.item(k).rendered()])
                    _ = try store.list()
                }
                try writer.addOrder("INDEX", permutation: (0..<50).sorted { ($0 % 3, $0) < ($1 % 3, $1) })
                try writer.finish()
                try store.finish(id, expectedWorker: .current, status: .succeeded, itemCount: 50)
                if i % 5 == 1 && i % 4 != 0 { _ = try store.delete(id) }
            } catch {
                Issue.record("writer \(i): \(error)")
            }
        }
        let shared = Set((0..<n).filter { $0 % 4 == 0 }.compactMap { box.get($0) })
        #expect(shared.count == 1, "one job for the shared token")
        let listed = try store.list()
        var jobs = 0
        for entry in listed {
            guard case .job(let r) = entry else { Issue.record("an unreadable record: \(entry)"); continue }
            jobs += 1
            #expect(r.status == .succeeded && r.itemCount == 50)
            let pages = try JobStoreTests.allPages(store, r.jobId, sortBy: "INDEX", maxResults: 7)
            #expect(pages.flatMap(\.items).count == 50)
        }
        let deleted = (0..<n).filter { $0 % 5 == 1 && $0 % 4 != 0 }.count
        #expect(jobs == 1 + (n - n / 4) - deleted)
    }

    final class IdsBox: @unchecked Sendable {
        private var ids: [String?]
        private let lock = NSLock()
        init(_ n: Int) { ids = Array(repeating: nil, count: n) }
        func set(_ i: Int, _ id: String) { lock.lock(); ids[i] = id; lock.unlock() }
        func get(_ i: Int) -> String? { lock.lock(); defer { lock.unlock() }; return ids[i] }
    }
}
