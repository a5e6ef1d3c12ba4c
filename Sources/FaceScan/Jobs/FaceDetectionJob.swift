/// StartFaceDetection / GetFaceDetection as a stored job: the request's parameters and the analysis.
extension VideoJobOperation {
    public static let faceDetection = VideoJobOperation(
        startAPI: "StartFaceDetection", getAPI: "GetFaceDetection", itemsKey: "Faces", sortOrders: ["TIMESTAMP"],
        run: { request, sink in try FaceDetectionJob.analyse(request, try FaceDetectionPipeline(), sink) },
        // A segment's faces are the job's faces in its range, so the merge puts them one after another.
        segment: { request, sink in try FaceDetectionJob.analyse(request, try WorkerPipelines.shared.detection(), sink) },
        merge: { _, segments, sink in
            var batch: [String] = []
            try segments { text in
                batch.append(text)
                if batch.count == 100 { try sink.appendTexts(batch); batch.removeAll() }
            }
            try sink.appendTexts(batch)
        })
}

/// Conversions between a `FaceDetectionRequest` and the parameters stored in a job, in a normal form
/// (`VideoJobParameters`).
public enum FaceDetectionJob {
    /// The job request for a detection request.
    public static func jobRequest(_ r: FaceDetectionRequest, jobTag: String? = nil, notificationCommand: String? = nil) -> JobRequest {
        var p: [String: String] = [
            "FaceAttributes": r.faceAttributes.rawValue,
            "MinConfidence": r.minConfidence.description,
        ]
        VideoJobParameters.store(sampling: r.sampling, start: r.start, end: r.end, tracking: r.tracking, into: &p)
        return JobRequest(api: VideoJobOperation.faceDetection.startAPI, video: r.path, jobTag: jobTag,
                          notificationCommand: notificationCommand, parameters: p)
    }

    /// Runs a stored detection job's analysis with `pipeline`, into `sink`.
    static func analyse(_ request: JobRequest, _ pipeline: FaceDetectionPipeline, _ sink: JobSink) throws {
        let detection = try detectionRequest(request)
        let summary = try pipeline.stream(detection, frame: { _, faces in
            try sink.append(faces.map(\.json))
        }, progress: { frames, position, duration in
            sink.progress(frames: frames, position: position, duration: duration)
        })
        summary.warnings.forEach(sink.warn)
    }

    /// The detection request a stored job describes.
    /// - Throws: InternalServerError when the stored parameters are not ones `jobRequest` writes.
    public static func detectionRequest(_ job: JobRequest) throws -> FaceDetectionRequest {
        func bad(_ name: String) -> APIError { VideoJobParameters.damaged(job, name) }
        var r = FaceDetectionRequest(path: job.video)
        guard let attributes = FaceAttributes(rawValue: job.parameters["FaceAttributes"] ?? "") else { throw bad("FaceAttributes") }
        r.faceAttributes = attributes
        guard let confidence = Float(job.parameters["MinConfidence"] ?? "") else { throw bad("MinConfidence") }
        r.minConfidence = confidence
        (r.sampling, r.start, r.end, r.tracking) = try VideoJobParameters.read(job)
        r.continuesSampling = VideoSegments.continues(job)
        return r
    }
}
