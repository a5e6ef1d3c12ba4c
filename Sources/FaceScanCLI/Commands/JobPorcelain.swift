import FaceScan
import Foundation

/// The signal that interrupted the command (0: none), set by the signal handler.
nonisolated(unsafe) private var interruption: Int32 = 0

/// Start + wait + get in one command, for any kind of job (detect, search). The job is
/// created in the job store like the start command's, but its analysis runs in this process (so
/// interrupting the command stops it), and the pages printed are the ones the Get command serves.
///
/// - By default one merged response (every result, no NextToken); the job is deleted afterwards.
/// - `--max-results N`: the first page with its NextToken and JobId; the job stays in the store for the
///   Get command.
/// - `--output jsonl`: every page as one compact JSON line, each printed as soon as it is complete
///   (JobStatus IN_PROGRESS while the analysis goes on, SUCCEEDED on the last page); the job stays.
///
/// Pages are in the `--sort-by` order (default: the operation's first, the order results are produced
/// in). Pages of another order are printed once the analysis ended, since that order is stored last.
enum JobPorcelain {
    /// Runs the job `job` describes (`JobOptions.detectionJob`, `JobOptions.searchJob`: the request and
    /// the input's VideoMetadata, checked before anything else so that a bad input is reported as such).
    static func run(_ operation: VideoJobOperation, _ job: (ParsedArguments) throws -> (JobRequest, VideoMetadata),
                    _ args: ParsedArguments, _ ctx: CommandContext) throws -> JSON? {
        let (request, metadata) = try job(args)
        let pageSize = try JobStore.pageSize(args.int("max-results"))
        let streaming = args.string("output") == "jsonl"
        let keep = streaming || args.has("max-results")
        let order = try operation.sortOrder(args.string("sort-by"))

        // The job runs here, so it is kept in the embedded store whatever --store names (that names
        // where a stored collection is).
        let store = try StoreOption.embeddedJobs()
        let id = try store.start(request, metadata: metadata).record.jobId
        guard let runner = try JobRunner(store: store, jobId: id) else {
            throw APIError(.internalServerError, "job \(id) ended before it could run")
        }
        var progress: JobProgress? = nil
        runner.onProgress = { frames, position, duration in
            ctx.progress?.update(frames: frames, position: position, duration: duration)
            progress = JobProgress(frames: frames, positionMillis: position, durationMillis: duration)
        }
        // Ctrl-C (or SIGTERM, SIGHUP) stops the analysis after the current frame; the job is then
        // deleted (merged output) or recorded FAILED, and the command ends by the signal, as it would have.
        // A signal ignored on entry (e.g. SIGINT of a background job, SIGHUP under nohup) stays
        // ignored; a blocked one (a mask inherited from the parent) is unblocked.
        var handled = sigset_t()
        sigemptyset(&handled)
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            let previous = signal(sig) { interruption = $0 }
            if let previous, unsafeBitCast(previous, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) {
                signal(sig, SIG_IGN)
            }
            sigaddset(&handled, sig)
        }
        pthread_sigmask(SIG_UNBLOCK, &handled, nil)
        runner.stopReason = { interruption == 0 ? nil : "the analysis was interrupted (signal \(interruption))" }
        var printed = 0
        if streaming && order == 0 {
            // A page is printed once an item after it exists, so that its NextToken points at a result.
            runner.onItems = { count in
                while count > printed + pageSize {
                    var live = runner.record
                    live.progress = progress
                    try ctx.emit(try store.response(live, operation: operation, order: 0, position: printed, limit: pageSize, available: count).json)
                    printed += pageSize
                }
            }
        }
        let record: JobRecord
        do {
            record = try runner.run()
        } catch {
            if !keep { _ = try? store.delete(id) }
            if interruption != 0 {
                ctx.progress?.finish()
                let sig = interruption
                signal(sig, SIG_DFL)
                raise(sig)
            }
            runner.record.warnings.forEach { ctx.warn("facescan: warning: " + $0) }
            throw error
        }
        for sig in [SIGINT, SIGTERM, SIGHUP] { signal(sig, SIG_DFL) }
        record.warnings.forEach { ctx.warn("facescan: warning: " + $0) }
        let count = record.itemCount ?? 0

        if streaming {
            repeat {
                try ctx.emit(try store.response(record, operation: operation, order: order, position: printed, limit: pageSize, available: count).json)
                printed += pageSize
            } while printed < count
            return nil
        }
        if keep {
            return try store.response(record, operation: operation, order: order, position: 0, limit: pageSize, available: count).json
        }
        // The merged response goes to a private temporary file first, then to stdout: memory stays flat
        // however many results there are, and nothing reaches stdout unless all of it could be read.
        let merged = try TemporaryFile(prefix: "facescan-output")
        try store.writeMerged(record, operation: operation, order: order) { try merged.append($0) }
        try merged.append("\n")
        _ = try? store.delete(id)
        try merged.forEachChunk { try ctx.emitBytes($0) }
        return nil
    }
}
