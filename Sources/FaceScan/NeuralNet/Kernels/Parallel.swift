import Foundation

/// Splits work across threads. With one thread (or too little work) the body runs inline on the
/// caller's thread: no dispatch, no synchronisation, no allocation. Otherwise the shared `WorkerPool`
/// runs the chunks (GCD if another thread is using the pool).
enum Parallel {
    static let pool = WorkerPool()
    /// More threads than cores only adds contention (and spinning): requests are capped to this.
    static let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Calls `body(chunk, range)` on up to `threads` disjoint sub-ranges of `0..<count` whose bounds are
    /// multiples of `grain` (except the end), concurrently when more than one; `chunk` is 0..<threads.
    @inline(__always)
    static func forChunks(_ count: Int, grain: Int = 1, threads: Int, _ body: (Int, Range<Int>) -> Void) {
        let blocks = (count + grain - 1) / max(grain, 1)
        let t = min(threads, blocks, cores)
        if t <= 1 {
            if count > 0 { body(0, 0..<count) }
            return
        }
        let chunk = { (i: Int) in
            let lo = min(count, (blocks * i / t) * grain)
            let hi = min(count, (blocks * (i + 1) / t) * grain)
            if lo < hi { body(i, lo..<hi) }
        }
        if t <= 255, pool.tryAcquire() {
            pool.run(count: t, chunk)
            pool.release()
        } else {
            DispatchQueue.concurrentPerform(iterations: t, execute: chunk)
        }
    }

    /// Threads worth using for `work` (≈ multiply-adds or element visits): one below `minimum`.
    @inline(__always)
    static func threads(_ threads: Int, work: Int, minimum: Int = 150_000) -> Int {
        work < minimum ? 1 : threads
    }
}
