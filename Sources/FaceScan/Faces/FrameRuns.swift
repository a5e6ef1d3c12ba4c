import Foundation

/// A reader's sampled frames grouped into runs for `FaceAnalyzer.analyse(run:)`: a run starts a full
/// detection and lasts until the next multiple of `detectionInterval` ms of video time (at most
/// `TrackingSchedule.maxRunFrames` frames and `maxRunBytes` bytes).
/// Runs are independent, so several are analysed at once, one per thread. Because runs are cut on a
/// fixed grid of video time, not counted from wherever reading began, a reader started at a multiple of
/// the interval yields the runs a reader from the start has there: a video split into segments at such
/// times is analysed exactly as it is in one piece (`VideoSegments`).
final class FrameRuns {
    private let reader: VideoReader
    private let schedule: TrackingSchedule
    private var pending: SampledFrame?

    init(_ reader: VideoReader, schedule: TrackingSchedule) {
        self.reader = reader
        self.schedule = schedule
    }

    /// The next run, or an empty one at the end.
    func next() throws -> [SampledFrame] {
        guard let first = try pending ?? reader.next() else { return [] }
        pending = nil
        var run = [first]
        var bytes = first.image.pixels.count
        while run.count < TrackingSchedule.maxRunFrames, bytes + first.image.pixels.count <= TrackingSchedule.maxRunBytes,
              let f = try reader.next() {
            if schedule.detectionInterval == 0 || cell(f.timestamp) != cell(first.timestamp) { pending = f; break }
            run.append(f)
            bytes += f.image.pixels.count
        }
        return run
    }

    /// The interval of the grid a timestamp falls in (interval > 0).
    private func cell(_ timestamp: Int64) -> Int64 { Self.floorDiv(timestamp, schedule.detectionInterval) }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }
}

/// Runs read ahead on a thread of their own (decoding and converting frames to RGB), up to `capacity`
/// runs, while the caller analyses earlier ones: decoding and analysis overlap, and memory stays bounded
/// by the capacity, whatever the video's length. The reader belongs to the thread until `finish()`.
final class RunsAhead: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [[SampledFrame]] = []
    private var ended = false, stopping = false
    private var failure: Error?
    private let done = DispatchSemaphore(value: 0)
    private let capacity: Int

    init(_ runs: FrameRuns, capacity: Int) {
        self.capacity = max(1, capacity)
        let thread = Thread { [self] in
            defer { done.signal() }
            while true {
                let run: [SampledFrame]
                do { run = try runs.next() } catch { push(nil, error); return }
                if run.isEmpty { push(nil, nil); return }
                if !push(run, nil) { return }
            }
        }
        thread.name = "facescan-decode"
        thread.start()
    }

    /// Queues a run (nil: the end, with or without an error); false when the consumer has stopped.
    @discardableResult
    private func push(_ run: [SampledFrame]?, _ error: Error?) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while run != nil && queue.count >= capacity && !stopping { condition.wait() }
        if stopping { return false }
        if let run { queue.append(run) } else { ended = true; failure = error }
        condition.broadcast()
        return true
    }

    /// Up to `count` runs, waiting for them (fewer only at the end); an error of the reader is thrown
    /// once the runs before it have been handed out.
    func next(upTo count: Int) throws -> [[SampledFrame]] {
        condition.lock()
        defer { condition.unlock() }
        while queue.count < count && !ended && !stopping { condition.wait() }
        let taken = Array(queue.prefix(count))
        queue.removeFirst(taken.count)
        condition.broadcast()
        if taken.isEmpty, let failure { throw failure }
        return taken
    }

    /// Stops reading ahead and waits for the thread to end; the reader is the caller's again. Calls after
    /// the first return at once.
    func finish() {
        condition.lock()
        let first = !stopping
        stopping = true
        condition.broadcast()
        condition.unlock()
        if first { done.wait() }
    }
}

extension WorkerSet {
    /// Analyses the runs of `ahead` on every worker at once, each worker taking the next run as soon as
    /// it is free (no batch waits for its slowest run), and hands each run's timestamps with its result
    /// to `emit` in the runs' order, one at a time (on whichever worker thread completes the order). A
    /// worker does not start a run while `count` results wait for an earlier one, and a waiting result
    /// keeps no frames, so memory stays bounded. The first error of `analyse` or `emit` stops every
    /// worker and is thrown; an error of the reader is thrown after the runs before it are emitted.
    func forEachRun<Result>(_ ahead: RunsAhead, analyse: (Worker, [SampledFrame]) throws -> Result,
                            emit: ([Int64], Result) throws -> Void) throws {
        let state = NSCondition()
        var taken = 0, emitted = 0
        var waiting: [Int: ([Int64], Result)] = [:]
        var readerError: Error?
        let failure = FailureBox()
        onThreads(workers.count) { w in
            while true {
                state.lock()
                while waiting.count >= workers.count && failure.error == nil { state.wait() }
                var run: [SampledFrame] = []
                if failure.error == nil && readerError == nil {
                    do { run = try ahead.next(upTo: 1).first ?? [] } catch { readerError = error }
                }
                // Another worker may have failed while this one waited for the reader.
                if failure.error != nil { run = [] }
                let seq = taken
                if !run.isEmpty { taken += 1 }
                if run.isEmpty { state.broadcast(); state.unlock(); return }
                state.unlock()
                let result: Result
                do { result = try analyse(workers[w], run) } catch {
                    state.lock(); failure.set(error); state.broadcast(); state.unlock()
                    return
                }
                state.lock()
                waiting[seq] = (run.map(\.timestamp), result)
                // Whoever holds the next result in order emits it (and any that follow), under the lock.
                while failure.error == nil, let next = waiting.removeValue(forKey: emitted) {
                    do { try emit(next.0, next.1) } catch { failure.set(error) }
                    emitted += 1
                }
                state.broadcast()
                state.unlock()
            }
        }
        if let error = failure.error { throw error }
        if let readerError { throw readerError }
    }
}
