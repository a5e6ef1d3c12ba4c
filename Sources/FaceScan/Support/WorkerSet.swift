import Foundation

/// A fixed set of workers (models and buffers that are not thread-safe), one thread each: `map` runs
/// items on them in parallel and returns the results in item order. Item i goes to worker i mod count.
final class WorkerSet<Worker> {
    let workers: [Worker]

    init(_ workers: [Worker]) {
        precondition(!workers.isEmpty, "WorkerSet needs a worker")
        self.workers = workers
    }

    /// `count` workers made at once, one per thread: building the models' networks is most of a short
    /// run's start-up. Model files are read and verified before (`ModelStore.load` caches them), so the
    /// threads only build.
    convenience init(making count: Int, verifying models: [ModelFile], in store: ModelStore, _ make: () throws -> Worker) throws {
        for m in models { _ = try store.load(m) }
        var made = [Worker?](repeating: nil, count: max(1, count))
        let failure = FailureBox()
        made.withUnsafeMutableBufferPointer { out in
            DispatchQueue.concurrentPerform(iterations: out.count) { i in
                do { out[i] = try make() } catch { failure.set(error) }
            }
        }
        if let error = failure.error { throw error }
        self.init(made.map { $0! })
    }

    func map<Item, Result>(_ items: [Item], _ body: (Worker, Item) throws -> Result) throws -> [Result] {
        if items.count <= 1 || workers.count == 1 {
            return try items.enumerated().map { try body(workers[$0.offset % workers.count], $0.element) }
        }
        var results = [Result?](repeating: nil, count: items.count)
        let failure = FailureBox()
        let count = workers.count
        results.withUnsafeMutableBufferPointer { out in
            // Each index is written by exactly one thread.
            DispatchQueue.concurrentPerform(iterations: min(count, items.count)) { w in
                for i in stride(from: w, to: items.count, by: count) {
                    do { out[i] = try body(workers[w], items[i]) } catch { failure.set(error) }
                }
            }
        }
        if let error = failure.error { throw error }
        return results.map { $0! }
    }
}

/// Runs `body(0)` … `body(count - 1)` at once, `body(0)` on the calling thread and each other on a thread
/// of its own, and returns when all have. For long-lived workers that run `WorkerSet.map` themselves:
/// Dispatch runs a `concurrentPerform` nested in another one's iterations on one thread, so the inner
/// work of an outer loop on Dispatch never spreads to a core the outer loop leaves idle (the last run
/// of a video). The threads are joined before this returns, so `body` does not outlive the call.
func onThreads(_ count: Int, _ body: (Int) -> Void) {
    withoutActuallyEscaping(body) { body in
        var threads: [pthread_t] = []
        for i in 1..<max(1, count) {
            let job = Unmanaged.passRetained(ThreadJob { body(i) }).toOpaque()
            var attributes = pthread_attr_t()
            pthread_attr_init(&attributes)
            // As much stack as the main thread has (Foundation's threads get less).
            pthread_attr_setstacksize(&attributes, 8 << 20)
            var thread = pthread_t()
            let rc = pthread_create(&thread, &attributes, { raw in
                let job = Unmanaged<ThreadJob>.fromOpaque(raw!).takeRetainedValue()
                job.run()
                return nil
            }, job)
            pthread_attr_destroy(&attributes)
            if rc == 0 {
                threads.append(thread)
            } else {
                // No thread to be had: this one does the work.
                Unmanaged<ThreadJob>.fromOpaque(job).takeRetainedValue().run()
            }
        }
        body(0)
        for t in threads { pthread_join(t, nil) }
    }
}

/// The work of one thread of `onThreads`; released on that thread before it ends (and so before the join).
private final class ThreadJob {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}

/// The first error thrown by concurrent work.
final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var first: Error?
    var error: Error? { lock.lock(); defer { lock.unlock() }; return first }
    func set(_ e: Error) { lock.lock(); if first == nil { first = e }; lock.unlock() }
}
