import FaceScan
import Foundation

extension CommandTable {
    static let startFaceDetection = CommandSpec(
        name: "start-face-detection",
        summary: "Start a face-detection job in the background; print {\"JobId\": ...} at once.",
        details: """
        Checks FILE (it must exist and be a readable video or image, else InvalidS3ObjectException, no larger \
        than 10 GB or 6 hours), records a job \
        in the job store and prints a StartFaceDetection response, {"JobId": "..."}, at once. The \
        analysis (the same as `facescan detect`) runs in a detached background process (with --store \
        postgres://…, in `facescan worker` processes on any machine, a segment of video each); read its status \
        and results with `facescan get-face-detection --job-id ID`. With --client-request-token, a start \
        repeated with the same token and parameters prints the same JobId and starts nothing, and with \
        other parameters is an IdempotentParameterMismatchException. More running jobs than \
        FACESCAN_MAX_JOBS (default 20) is a LimitExceededException.
        """,
        positionals: [PositionalSpec("FILE", help: "a video or image file")],
        options: [JobOptions.faceAttributes] + JobOptions.start + VideoOptions.all + [JobOptions.minConfidence, StoreOption.option],
        examples: [
            "facescan start-face-detection --job-tag nightly SampleVideos/face-zoom.mp4",
            "facescan start-face-detection --notification-command 'jq -c . >> done.jsonl' clip.mp4",
        ],
        validate: VideoOptions.validate,
        run: { args, _ in try startJob(JobOptions.detectionJob(args), args) })

    static let getFaceDetection = CommandSpec(
        name: "get-face-detection",
        summary: "Print a face-detection job's status and a page of its results (a GetFaceDetection response).",
        details: """
        Prints a GetFaceDetection response for the job: JobStatus IN_PROGRESS (list-jobs shows how far \
        the analysis got), FAILED (StatusMessage says why), or SUCCEEDED with a page of Faces sorted by \
        Timestamp. Every response has VideoMetadata, JobId and JobTag. When more results follow, \
        NextToken is set: pass it with --next-token for the next page. Pages concatenate to exactly the \
        whole result. A NextToken is bound to its job and position and signed: a modified, truncated or \
        foreign token is an InvalidPaginationTokenException. A job whose worker died (killed, crashed, \
        machine restarted) is reported FAILED.
        """,
        options: [JobOptions.jobId, JobOptions.maxResults, JobOptions.nextToken, StoreOption.option],
        examples: [
            "facescan get-face-detection --job-id ID --max-results 10 | jq -r .NextToken",
        ],
        run: { args, _ in try getPage(.faceDetection, args) })

    static let startFaceSearch = CommandSpec(
        name: "start-face-search",
        summary: "Start a face-search job in the background; print {\"JobId\": ...} at once.",
        details: """
        Checks FILE as start-face-detection does and the collection folder (it must exist and be a \
        readable folder), records a job in the job store and prints a StartFaceSearch response, {"JobId": "..."}, \
        at once. The analysis (the same as `facescan search`: indexing the collection, refreshing its \
        cache, then searching the video) runs in a detached background process (with --store \
        postgres://…, in `facescan worker` processes on any machine, a segment of video each); read its status and \
        results with `facescan get-face-search --job-id ID`. A collection in which no image has a face \
        is empty: every person is listed with no match. --client-request-token, --job-tag, --notification-command and the job \
        limit work as for start-face-detection; the collection folder and --face-match-threshold are \
        parameters of the request.
        """,
        positionals: [PositionalSpec("FILE", help: "a video or image file")],
        options: [collectionOption, collectionId, faceMatchThreshold] + JobOptions.start + VideoOptions.all + [StoreOption.option],
        examples: [
            "facescan start-face-search --collection known/ --job-tag nightly clip.mp4",
            "facescan start-face-search --collection-id staff clip.mp4",
        ],
        validate: validateSearch,
        run: { args, _ in try startJob(JobOptions.searchJob(args), args) })

    static let getFaceSearch = CommandSpec(
        name: "get-face-search",
        summary: "Print a face-search job's status and a page of its results (a GetFaceSearch response).",
        details: """
        Prints a GetFaceSearch response for the job: JobStatus IN_PROGRESS (list-jobs shows how far \
        the analysis got), FAILED (StatusMessage says why), or SUCCEEDED with a page of Persons sorted \
        by Timestamp (or, with --sort-by INDEX, by person Index, then Timestamp). Every response has \
        VideoMetadata, JobId and JobTag. When more results follow, NextToken is set: pass it with \
        --next-token, and the same --sort-by, for the next page. Pages concatenate to exactly the whole \
        result in either order. A NextToken is bound to its job, sort order and position and signed: a \
        token of the other sort order, or a modified, truncated or foreign one, is an \
        InvalidPaginationTokenException.
        """,
        options: [JobOptions.jobId, JobOptions.maxResults, JobOptions.nextToken, JobOptions.sortBy, StoreOption.option],
        examples: [
            "facescan get-face-search --job-id ID --sort-by INDEX | jq -c '.Persons[] | [.Person.Index, .Timestamp]'",
        ],
        run: { args, _ in try getPage(.faceSearch, args) })

    /// A start command's body: records the job (or finds the one an earlier start with the same
    /// ClientRequestToken made), starts its worker, and returns the Start response, {"JobId": ...}.
    static func startJob(_ job: (request: JobRequest, metadata: VideoMetadata), _ args: ParsedArguments) throws -> JSON {
        let store = try StoreOption.jobs(args)
        let started = try store.start(job.request, clientRequestToken: args.string("client-request-token"), metadata: job.metadata)
        // A shared store's workers take the job's segments; the embedded store's job gets its own process.
        if started.created && !store.isQueue { try JobRunner.spawnWorker(store: store, jobId: started.record.jobId) }
        return StartJobResponse(jobId: started.record.jobId).json
    }

    /// A Get command's body: a page of the job's results.
    static func getPage(_ operation: VideoJobOperation, _ args: ParsedArguments) throws -> JSON {
        try StoreOption.jobs(args).page(args.string("job-id")!, operation: operation, sortBy: args.string("sort-by"),
                                            maxResults: args.int("max-results"), nextToken: args.string("next-token")).json
    }

    static let listJobs = CommandSpec(
        name: "list-jobs",
        summary: "List the jobs in the job store with their status.",
        details: """
        Prints {"JobStore": DIR, "Jobs": [...]}, oldest job first: JobId, API, JobStatus, StatusMessage \
        (why a job FAILED), Progress (how far a running job got), JobTag, Video (the input file), CreationTimestamp and CompletionTimestamp (Unix epoch \
        milliseconds), Results (the number of result items of a SUCCEEDED job) and WorkerPid (of a \
        running job). A running job whose worker died is reported FAILED.
        """,
        options: [StoreOption.option],
        examples: ["facescan list-jobs | jq -r '.Jobs[] | select(.JobStatus == \"SUCCEEDED\") | .JobId'"],
        run: { args, _ in
            let store = try StoreOption.jobs(args)
            let jobs: [JSON] = try store.list().map { entry in
                switch entry {
                case .job(let r):
                    return .members([
                        ("JobId", .string(r.jobId)),
                        ("API", .string(r.request.api)),
                        ("JobStatus", .string(r.status.rawValue)),
                        ("StatusMessage", r.status == .inProgress ? nil : r.reportedStatusMessage.map { .string($0) }),
                        ("Progress", r.status == .inProgress ? r.reportedStatusMessage.map { .string($0) } : nil),
                        ("JobTag", r.request.jobTag.map { .string($0) }),
                        ("Video", .string(r.request.video)),
                        ("CreationTimestamp", .integer(r.creationTimestamp)),
                        ("CompletionTimestamp", r.completionTimestamp.map { .integer($0) }),
                        ("Results", r.itemCount.map { .integer(Int64($0)) }),
                        ("WorkerPid", r.status == .inProgress ? r.worker.map { .integer(Int64($0.pid)) } : nil),
                    ])
                case .damaged(let id, let message):
                    return .object([("JobId", .string(id)), ("JobStatus", .string(JobStatus.failed.rawValue)), ("StatusMessage", .string(message))])
                }
            }
            return .object([("JobStore", .string(store.location)), ("Jobs", .array(jobs))])
        })

    static let deleteJob = CommandSpec(
        name: "delete-job",
        summary: "Delete a job and its results from the job store (stopping it if it runs).",
        details: """
        Removes the job's record and results; its NextTokens and ClientRequestToken are no longer valid. \
        A running job's worker is stopped first (SIGTERM); with a shared store, the workers on its \
        segments stop at their next lease renewal. Prints {"JobId": ..., "JobStatus": ...} with \
        the status the job had.
        """,
        options: [JobOptions.jobId, StoreOption.option],
        examples: ["facescan list-jobs | jq -r '.Jobs[].JobId' | xargs -n1 facescan delete-job --job-id"],
        run: { args, _ in
            let store = try StoreOption.jobs(args)
            let id = args.string("job-id")!
            let record = try store.delete(id)
            return .members([("JobId", .string(id)), ("JobStatus", record.map { .string($0.status.rawValue) })])
        })
}
