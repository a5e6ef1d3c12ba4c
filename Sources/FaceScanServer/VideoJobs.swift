import FaceScan
import Foundation

/// StartFaceDetection, StartFaceSearch and their Get operations on the endpoint: the same stored jobs as
/// the command line's start-* and get-* verbs (the same job store, worker processes, idempotency and
/// NextTokens), with the video named by an S3Object under the S3 root, echoed by the Get responses.
enum VideoJobs {
    static func video(_ m: RequestMembers, _ c: ServerContext) throws -> (path: String, bucket: String, name: String) {
        let video = try m.required("Video") { try m.object($0) }
        let object = try video.required("S3Object") { try video.object($0) }
        return try c.s3.path(object)
    }

    /// ClientRequestToken, JobTag and the notification command a NotificationChannel stands for.
    static func startOptions(_ m: RequestMembers, _ c: ServerContext) throws -> (token: String?, tag: String?, notify: String?) {
        let token = try m.clientRequestToken()
        let tag = try m.string("JobTag", min: 1, max: 1024)
        if let tag, !APIValidation.isJobTag(tag) { throw m.bad("JobTag", "must be letters, digits and _.-:+=/") }
        var notify: String? = nil
        if let channel = try m.object("NotificationChannel") {
            _ = try channel.required("SNSTopicArn") { try channel.string($0) }
            _ = try channel.required("RoleArn") { try channel.string($0) }
            notify = c.notificationCommand
        }
        return (token, tag, notify)
    }

    static func startFaceDetection(_ m: RequestMembers, _ c: ServerContext) throws -> JSON {
        let (path, bucket, name) = try video(m, c)
        let options = try startOptions(m, c)
        let metadata = try VideoReader(path: path, displayName: "s3://\(bucket)/\(name)", noFollow: true).metadata
        var r = FaceDetectionRequest(path: path)
        r.faceAttributes = try m.choice("FaceAttributes", FaceAttributes.allCases.map(\.rawValue)).flatMap(FaceAttributes.init(rawValue:)) ?? .default
        var job = FaceDetectionJob.jobRequest(r, jobTag: options.tag, notificationCommand: options.notify)
        job.parameters["S3Bucket"] = bucket
        job.parameters["S3Name"] = name
        return try start(job, metadata, options.token, c)
    }

    static func startFaceSearch(_ m: RequestMembers, _ c: ServerContext) throws -> JSON {
        let (path, bucket, name) = try video(m, c)
        let id = try OperationTable.collectionId(m)
        let options = try startOptions(m, c)
        let metadata = try VideoReader(path: path, displayName: "s3://\(bucket)/\(name)", noFollow: true).metadata
        _ = try c.store.describeCollection(id)
        var r = FaceSearchRequest(path: path, collection: .stored(location: c.store.location, id: id))
        r.faceMatchThreshold = try m.percent("FaceMatchThreshold") ?? 80
        var job = FaceSearchJob.jobRequest(r, jobTag: options.tag, notificationCommand: options.notify)
        job.parameters["S3Bucket"] = bucket
        job.parameters["S3Name"] = name
        return try start(job, metadata, options.token, c)
    }

    static func start(_ job: JobRequest, _ metadata: VideoMetadata, _ token: String?, _ c: ServerContext) throws -> JSON {
        let started = try c.jobs.start(job, clientRequestToken: token, metadata: metadata)
        // With a shared store, workers (`facescan worker`) take the job's segments; the embedded store's
        // job gets a process of its own.
        if started.created && !c.jobs.isQueue { try JobRunner.spawnWorker(store: c.jobs, jobId: started.record.jobId, executable: c.executable) }
        return StartJobResponse(jobId: started.record.jobId).json
    }

    static func get(_ operation: VideoJobOperation, _ m: RequestMembers, _ c: ServerContext) throws -> JSON {
        let id = try m.required("JobId") { try m.string($0, min: 1, max: 64) }
        guard JobStore.isValidId(id) else { throw m.bad("JobId", "must be letters, digits, - and _") }
        let sortBy = operation.sortOrders.count > 1 ? try m.choice("SortBy", operation.sortOrders) : nil
        return try c.jobs.page(id, operation: operation, sortBy: sortBy, maxResults: try m.integer("MaxResults", min: 1),
                               nextToken: try m.string("NextToken", max: 255)).json
    }
}
