import FaceScan
import Foundation

/// Set by the signal handler: the worker stops after its current task.
nonisolated(unsafe) private var stopRequested: Int32 = 0

extension CommandTable {
    static let worker = CommandSpec(
        name: "worker",
        summary: "Run the jobs of a shared (PostgreSQL) job store: take segments of video, analyse them, merge.",
        details: """
        Takes work from the job store named by --store postgres://… (or FACESCAN_STORE): the segments of \
        every job started on any machine with start-face-detection, start-face-search or through \
        `facescan serve` with that store. A job is split into segments of FACESCAN_SEGMENT_SECONDS of video \
        (default 60), so several workers analyse one video at once; the worker that finishes the last \
        segment merges them, records the job SUCCEEDED and runs its notification command. The result is \
        that of one process analysing the whole video. A worker holds each segment under a lease of \
        --lease seconds, renewed while it works; a segment whose worker died (killed, its machine lost) is \
        taken by another worker once the lease has expired, and the rows its first worker wrote are \
        replaced. Run as many workers as there are machines (each uses every core of its own); the video \
        files must be at the same path on every machine (shared storage, the same --s3-root). Prints one \
        JSON line per task done. A store it cannot reach (the database restarting) is asked again every 5 s, \
        with a warning on stderr; with --drain that is an error instead. SIGTERM or SIGINT stops the worker \
        after its current task.
        """,
        options: [
            StoreOption.option,
            OptionSpec("lease", .number(min: 3, max: 3600), valueName: "SECONDS", default: "30",
                       help: "how long a task stays this worker's without a renewal (renewed every third of it)"),
            OptionSpec("drain", .flag, help: "exit once there is no work left, instead of waiting for more"),
        ],
        examples: [
            "FACESCAN_STORE=postgres://facescan@db.internal/facescan facescan worker",
            "facescan worker --store postgres://facescan@127.0.0.1/facescan --drain",
        ],
        run: { args, ctx in
            let store = try StoreOption.jobs(args)
            let worker = try QueueWorker(store: store, lease: args.double("lease") ?? 30)
            // A mask inherited from the parent (a supervisor, a test runner) must not keep the stop away.
            var handled = sigset_t()
            sigemptyset(&handled)
            for sig in [SIGINT, SIGTERM] {
                signal(sig) { stopRequested = $0 }
                sigaddset(&handled, sig)
            }
            pthread_sigmask(SIG_UNBLOCK, &handled, nil)
            defer { for sig in [SIGINT, SIGTERM] { signal(sig, SIG_DFL) } }
            // A daemon's trouble reaching the store is said on stderr at once (not held until success);
            // the worker keeps asking.
            let unreachable: (Error) -> Void = { error in
                guard !ctx.quiet else { return }
                let e = (error as? APIError)?.message ?? "\(error)"
                FileHandle.standardError.write(Data("facescan: warning: \(e); trying again in 5 s\n".utf8))
            }
            try worker.run(drain: args.has("drain"), stop: { stopRequested != 0 }, unreachable: unreachable) { task, outcome, seconds in
                var members: [(String, JSON)] = [("JobId", .string(task.jobId))]
                if let s = task.segment {
                    members.append(("Segment", .integer(Int64(task.number))))
                    members.append(("Start", .integer(s.start)))
                    if let end = s.end { members.append(("End", .integer(end))) }
                } else {
                    members.append(("Step", .string("merge")))
                }
                members += [("Attempt", .integer(Int64(task.attempt))), ("Outcome", .string(outcome.rawValue)),
                            ("Seconds", .double((seconds * 100).rounded() / 100))]
                try ctx.emit(.object(members))
            }
            return nil
        })
}
