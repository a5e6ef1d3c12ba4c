/// The parameters every video job has (sampling and time range), stored in a normal form: defaults
/// written out and numbers in one spelling, so that two requests meaning the same thing compare equal
/// for ClientRequestToken idempotency (`--sample-rate 5` and no `--sample-rate` are the same request).
enum VideoJobParameters {
    /// Writes SampleRate, Start and End.
    static func store(sampling: FrameSampling, start: Int64?, end: Int64?, into p: inout [String: String]) {
        switch sampling {
        case .everyFrame: p["SampleRate"] = "all"
        case .rate(let fps): p["SampleRate"] = fps.description
        }
        if let start { p["Start"] = String(start) }
        if let end { p["End"] = String(end) }
    }

    /// Reads back what `store` wrote.
    /// - Throws: InternalServerError naming the damaged parameter.
    static func read(_ job: JobRequest) throws -> (sampling: FrameSampling, start: Int64?, end: Int64?) {
        let sampling: FrameSampling
        switch job.parameters["SampleRate"] {
        case "all": sampling = .everyFrame
        case let v?: guard let fps = Double(v), fps > 0 else { throw damaged(job, "SampleRate") }; sampling = .rate(fps)
        case nil: throw damaged(job, "SampleRate")
        }
        var start: Int64?, end: Int64?
        if let s = job.parameters["Start"] { guard let v = Int64(s) else { throw damaged(job, "Start") }; start = v }
        if let e = job.parameters["End"] { guard let v = Int64(e) else { throw damaged(job, "End") }; end = v }
        return (sampling, start, end)
    }

    /// The error for a stored parameter that is not one `store` (or a job kind's own code) writes.
    static func damaged(_ job: JobRequest, _ name: String) -> APIError {
        APIError(.internalServerError, "the job's stored parameter \(name) is damaged: \(job.parameters[name] ?? "missing")")
    }
}
