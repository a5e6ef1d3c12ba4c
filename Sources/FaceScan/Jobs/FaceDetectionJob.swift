/// StartFaceDetection / GetFaceDetection as a stored job: the request's parameters and the analysis.
extension VideoJobOperation {
    public static let faceDetection = VideoJobOperation(
        startAPI: "StartFaceDetection", getAPI: "GetFaceDetection", itemsKey: "Faces", sortOrders: ["TIMESTAMP"],
        run: { request, sink in
            let detection = try FaceDetectionJob.detectionRequest(request)
            let pipeline = try FaceDetectionPipeline()
            let summary = try pipeline.stream(detection, frame: { _, faces in
                try sink.append(faces.map(\.json))
            }, progress: { frames, position, duration in
                sink.progress(frames: frames, position: position, duration: duration)
            })
            summary.warnings.forEach(sink.warn)
        })
}

/// Conversions between a `FaceDetectionRequest` and the parameters stored in a job.
///
/// Parameters are stored in a normal form (defaults written out, numbers in one spelling) so that two
/// requests meaning the same thing compare equal for ClientRequestToken idempotency.
public enum FaceDetectionJob {
    /// The job request for a detection request.
    public static func jobRequest(_ r: FaceDetectionRequest, jobTag: String? = nil, notificationCommand: String? = nil) -> JobRequest {
        var p: [String: String] = [
            "FaceAttributes": r.faceAttributes.rawValue,
            "MinConfidence": r.minConfidence.description,
        ]
        switch r.sampling {
        case .everyFrame: p["SampleRate"] = "all"
        case .rate(let fps): p["SampleRate"] = fps.description
        }
        if let s = r.start { p["Start"] = String(s) }
        if let e = r.end { p["End"] = String(e) }
        return JobRequest(api: VideoJobOperation.faceDetection.startAPI, video: r.path, jobTag: jobTag,
                          notificationCommand: notificationCommand, parameters: p)
    }

    /// The detection request a stored job describes.
    /// - Throws: InternalServerError when the stored parameters are not ones `jobRequest` writes.
    public static func detectionRequest(_ job: JobRequest) throws -> FaceDetectionRequest {
        func bad(_ name: String) -> APIError {
            APIError(.internalServerError, "the job's stored parameter \(name) is damaged: \(job.parameters[name] ?? "missing")")
        }
        var r = FaceDetectionRequest(path: job.video)
        guard let attributes = FaceAttributes(rawValue: job.parameters["FaceAttributes"] ?? "") else { throw bad("FaceAttributes") }
        r.faceAttributes = attributes
        guard let confidence = Float(job.parameters["MinConfidence"] ?? "") else { throw bad("MinConfidence") }
        r.minConfidence = confidence
        switch job.parameters["SampleRate"] {
        case "all": r.sampling = .everyFrame
        case let v?: guard let fps = Double(v), fps > 0 else { throw bad("SampleRate") }; r.sampling = .rate(fps)
        case nil: throw bad("SampleRate")
        }
        if let s = job.parameters["Start"] { guard let v = Int64(s) else { throw bad("Start") }; r.start = v }
        if let e = job.parameters["End"] { guard let v = Int64(e) else { throw bad("End") }; r.end = v }
        return r
    }
}
