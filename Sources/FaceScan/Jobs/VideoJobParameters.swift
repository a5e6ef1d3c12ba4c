/// The parameters every video job has (sampling, time range and tracking schedule), stored in a normal form: defaults
/// written out and numbers in one spelling, so that two requests meaning the same thing compare equal
/// for ClientRequestToken idempotency (`--sample-rate 5` and no `--sample-rate` are the same request).
enum VideoJobParameters {
    /// Writes SampleRate, Start, End and DetectionInterval.
    static func store(sampling: FrameSampling, start: Int64?, end: Int64?, tracking: TrackingSchedule, into p: inout [String: String]) {
        p["DetectionInterval"] = String(tracking.detectionInterval)
        switch sampling {
        case .everyFrame: p["SampleRate"] = "all"
        case .rate(let fps): p["SampleRate"] = fps.description
        }
        if let start { p["Start"] = String(start) }
        if let end { p["End"] = String(end) }
    }

    /// Reads back what `store` wrote.
    /// - Throws: InternalServerError naming the damaged parameter.
    static func read(_ job: JobRequest) throws -> (sampling: FrameSampling, start: Int64?, end: Int64?, tracking: TrackingSchedule) {
        let sampling: FrameSampling
        switch job.parameters["SampleRate"] {
        case "all": sampling = .everyFrame
        case let v?: guard let fps = Double(v), fps > 0 else { throw damaged(job, "SampleRate") }; sampling = .rate(fps)
        case nil: throw damaged(job, "SampleRate")
        }
        var start: Int64?, end: Int64?
        if let s = job.parameters["Start"] { guard let v = Int64(s) else { throw damaged(job, "Start") }; start = v }
        if let e = job.parameters["End"] { guard let v = Int64(e) else { throw damaged(job, "End") }; end = v }
        // Jobs stored by facescan 1.x before tracking existed ran the full detector on every frame.
        var tracking = TrackingSchedule.everyFrame
        if let t = job.parameters["DetectionInterval"] {
            guard let v = Int64(t), v >= 0 else { throw damaged(job, "DetectionInterval") }
            tracking = TrackingSchedule(detectionInterval: v)
        }
        return (sampling, start, end, tracking)
    }

    /// The error for a stored parameter that is not one `store` (or a job kind's own code) writes.
    static func damaged(_ job: JobRequest, _ name: String) -> APIError {
        APIError(.internalServerError, "the job's stored parameter \(name) is damaged: \(job.parameters[name] ?? "missing")")
    }
}
