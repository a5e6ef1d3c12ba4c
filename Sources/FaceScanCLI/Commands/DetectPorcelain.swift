import FaceScan

/// `facescan detect`: start + wait + get in one command. The job is created in the job store like
/// start-face-detection's, but its analysis runs in this process (so interrupting detect stops it), and
/// the pages printed are the ones get-face-detection serves.
///
/// - By default one merged response (every face, no NextToken); the job is deleted afterwards.
/// - `--max-results N`: the first page with its NextToken and JobId; the job stays in the store for
///   get-face-detection.
/// - `--output jsonl`: every page as one compact JSON line, each printed as soon as it is complete
///   (JobStatus IN_PROGRESS while the analysis goes on, SUCCEEDED on the last page); the job stays.
enum DetectPorcelain {
    static func run(_ args: ParsedArguments, _ ctx: CommandContext) throws -> JSON? {
        let request = JobOptions.detectionRequest(args)
        // Check the input before anything else, so a bad file is reported as such.
        let metadata = try VideoReader(path: args.positionals[0]).metadata
        let pageSize = try JobStore.pageSize(args.int("max-results"))
        let streaming = args.string("output") == "jsonl"
        let keep = streaming || args.has("max-results")
        let operation = VideoJobOperation.faceDetection

        let store = try JobStore.fromEnvironment()
        let id = try store.start(FaceDetectionJob.jobRequest(request), metadata: metadata).record.jobId
        guard let runner = try JobRunner(store: store, jobId: id) else {
            throw APIError(.internalServerError, "job \(id) ended before it could run")
        }
        var progress: JobProgress? = nil
        runner.onProgress = { frames, position, duration in
            ctx.progress?.update(frames: frames, position: position, duration: duration)
            progress = JobProgress(frames: frames, positionMillis: position, durationMillis: duration)
        }
        var printed = 0
        if streaming {
            // A page is printed once an item after it exists, so that its NextToken points at a result.
            runner.onItems = { count in
                while count > printed + pageSize {
                    var live = runner.record
                    live.progress = progress
                    ctx.emit(try store.response(live, operation: operation, order: 0, position: printed, limit: pageSize, available: count).json)
                    printed += pageSize
                }
            }
        }
        let record: JobRecord
        do {
            record = try runner.run()
        } catch {
            if !keep { _ = try? store.delete(id) }
            throw error
        }
        record.warnings.forEach { ctx.warn("facescan: warning: " + $0) }
        let count = record.itemCount ?? 0

        if streaming {
            repeat {
                ctx.emit(try store.response(record, operation: operation, order: 0, position: printed, limit: pageSize, available: count).json)
                printed += pageSize
            } while printed < count
            return nil
        }
        if keep {
            return try store.response(record, operation: operation, order: 0, position: 0, limit: pageSize, available: count).json
        }
        var merged = try store.response(record, operation: operation, order: 0, position: 0, limit: count, available: count)
        merged.jobId = nil
        merged.jobTag = nil
        _ = try? store.delete(id)
        return merged.json
    }
}
