import Foundation
import Synchronization

/// A small pool of persistent worker threads for the kernels' parallel loops. Dispatching to it costs
/// an atomic store and, only for sleeping workers, a semaphore signal: much less than a GCD
/// `concurrentPerform`, which matters for networks of a hundred short steps.
///
/// Workers spin briefly between jobs (the steps of one network run follow each other within
/// microseconds), then sleep on a semaphore. One caller at a time: `Parallel` falls back to GCD when
/// another thread holds the pool.
final class WorkerPool: @unchecked Sendable {
    /// Shared state the worker threads hold (the pool object itself is never released).
    private final class State: @unchecked Sendable {
        /// Job number << 8 | number of participants (including the caller).
        let ticket = Atomic<Int>(0)
        let remaining = Atomic<Int>(0)
        let sleepers = Atomic<Int>(0)
        let wake = DispatchSemaphore(value: 0)
        /// The job; written by the caller before publishing `ticket`, read by participants after.
        var job: ((Int) -> Void)?
    }

    private let state = State()
    private let busy = Atomic<Bool>(false)
    private var workers = 0

    /// Iterations a worker spins on the ticket before it sleeps.
    private static let spinLimit = 1 << 15

    /// Claims the pool for the calling thread; false if another thread holds it.
    func tryAcquire() -> Bool {
        busy.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    }

    func release() { busy.store(false, ordering: .releasing) }

    /// Runs `body(0)` on the caller and `body(1..<count)` on workers; returns when all are done.
    /// The caller must hold the pool (`tryAcquire`). `count` ≤ 255.
    func run(count: Int, _ body: (Int) -> Void) {
        precondition(count >= 1 && count <= 255)
        while workers < count - 1 { spawn(index: workers + 1) }
        if count == 1 { body(0); return }
        let s = state
        withoutActuallyEscaping(body) { job in
            s.job = job
            s.remaining.store(count - 1, ordering: .sequentiallyConsistent)
            let number = (s.ticket.load(ordering: .sequentiallyConsistent) >> 8) + 1
            s.ticket.store(number << 8 | count, ordering: .sequentiallyConsistent)
            let sleeping = s.sleepers.load(ordering: .sequentiallyConsistent)
            for _ in 0..<sleeping { s.wake.signal() }
            job(0)
            var spins = 0
            while s.remaining.load(ordering: .acquiring) > 0 {
                spins += 1
                if spins > 4096 { sched_yield() }  // a worker was descheduled: give it the core
            }
            s.job = nil
        }
    }

    private func spawn(index: Int) {
        let s = state
        // The ticket as of now: the next job, published after this returns, is new to the thread even if
        // the thread only starts running after it is published.
        let initial = s.ticket.load(ordering: .sequentiallyConsistent)
        let thread = Thread {
            var seen = initial
            while true {
                var spins = 0
                var ticket = s.ticket.load(ordering: .acquiring)
                while ticket == seen {
                    spins += 1
                    if spins & 1023 == 0 { sched_yield() }  // let a descheduled caller run
                    if spins >= WorkerPool.spinLimit {
                        s.sleepers.add(1, ordering: .sequentiallyConsistent)
                        if s.ticket.load(ordering: .sequentiallyConsistent) == seen { s.wake.wait() }
                        s.sleepers.subtract(1, ordering: .sequentiallyConsistent)
                        spins = 0
                    }
                    ticket = s.ticket.load(ordering: .acquiring)
                }
                seen = ticket
                if index < ticket & 0xFF {
                    // Drop the reference to the job before reporting completion: the caller's
                    // `withoutActuallyEscaping` requires that nothing retains it afterwards.
                    var job = s.job
                    job?(index)
                    job = nil
                    s.remaining.subtract(1, ordering: .sequentiallyConsistent)
                }
            }
        }
        thread.name = "facescan-worker-\(index)"
        thread.start()
        workers = index
    }
}
