import Foundation
import Synchronization
import Testing
@testable import FaceScan

/// The parallel loop helper and its worker pool: every chunk runs exactly once, ranges tile the work,
/// the pool grows on demand, and concurrent callers (which fall back to GCD) are safe.
@Suite("NeuralNet parallel loops")
struct NeuralNetParallelTests {
    /// Counts under an NSLock (a pthread mutex, which ThreadSanitizer understands; it does not see the
    /// futex inside Synchronization's Mutex and would report its accesses as races).
    final class Hits: @unchecked Sendable {
        private let lock = NSLock()
        private var counts: [Int]
        init(_ n: Int) { counts = [Int](repeating: 0, count: n) }
        func add(_ range: Range<Int>) { lock.lock(); for i in range { counts[i] += 1 }; lock.unlock() }
        var allOnce: Bool { lock.lock(); defer { lock.unlock() }; return counts.allSatisfy { $0 == 1 } }
    }

    static func check(count: Int, grain: Int, threads: Int) -> Bool {
        let hits = Hits(count)
        let badChunk = Atomic<Bool>(false)
        Parallel.forChunks(count, grain: grain, threads: threads) { chunk, range in
            if chunk < 0 || chunk >= max(min(threads, Parallel.cores), 1) { badChunk.store(true, ordering: .relaxed) }
            hits.add(range)
        }
        return !badChunk.load(ordering: .relaxed) && hits.allOnce
    }

    @Test("chunks tile the range exactly once, 1–5 threads, 20 000 dispatches")
    func tiling() {
        var ok = true
        for round in 0..<20_000 {
            let count = 1 + round % 97, grain = 1 + round % 7, threads = 1 + round % 5
            ok = ok && Self.check(count: count, grain: grain, threads: threads)
        }
        #expect(ok)
    }

    @Test("concurrent callers are safe")
    func concurrentCallers() async {
        let results = await withTaskGroup(of: Bool.self) { group in
            for caller in 0..<4 {
                group.addTask {
                    (0..<2_000).allSatisfy { Self.check(count: 10 + ($0 + caller) % 50, grain: 3, threads: 2 + caller % 3) }
                }
            }
            var all: [Bool] = []
            for await r in group { all.append(r) }
            return all
        }
        #expect(results.count == 4 && results.allSatisfy { $0 })
    }
}
