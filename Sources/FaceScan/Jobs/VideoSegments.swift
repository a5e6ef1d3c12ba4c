/// A time range of a video job that one worker analyses on its own: from `start` (ms, inclusive) to
/// `end` (exclusive), or to the end of the job's own range when `end` is nil (the last segment).
public struct VideoSegment: Sendable, Equatable, Codable {
    public var start: Int64
    public var end: Int64?

    public init(start: Int64, end: Int64?) {
        self.start = start
        self.end = end
    }
}

/// How a job stored in a queue (`JobQueue`) is split so that several workers analyse it at once.
///
/// Boundaries fall on multiples of the segment length, itself a multiple of the job's detection
/// interval. The runs of frames the detector starts (`FrameRuns`) are cut on the grid of that interval,
/// and frames are sampled on a grid of video time, so a segment's frames and runs are exactly those a
/// single process has in that range: no overlap is needed, and the merged result is the single
/// process's (faces of a detection job in order; for a search, the segments' runs are linked into
/// persons in one place, `PersonLinker`, so Person.Index is the same too).
public enum VideoSegments {
    /// Segments of a minute of video by default (`FACESCAN_SEGMENT_SECONDS`).
    public static let defaultLength: Int64 = 60_000

    /// The segments of a job's time range: `length` ms each (rounded up to a multiple of the detection
    /// interval), one segment when the video's duration is unknown or the range is shorter.
    public static func plan(_ request: JobRequest, durationMillis: Int64?, length: Int64 = defaultLength) throws -> [VideoSegment] {
        let (_, start, end, tracking) = try VideoJobParameters.read(request)
        var step = max(1000, length)
        let interval = tracking.detectionInterval
        if interval > 0, step % interval != 0 { step = (step / interval + 1) * interval }
        let first = max(0, start ?? 0)
        guard let last = end ?? durationMillis, last > first else { return [VideoSegment(start: first, end: nil)] }
        var segments: [VideoSegment] = []
        var a = first
        var b = (first / step + 1) * step
        while b < last {
            segments.append(VideoSegment(start: a, end: b))
            a = b
            b += step
        }
        segments.append(VideoSegment(start: a, end: nil))
        return segments
    }

    /// The job request for one segment: its range as Start and End (End is inclusive: a segment ends
    /// just before the next one starts). A segment after the job's first continues its sampling
    /// (ContinuesSampling): the frame that stands for the sample time at its start may be one just
    /// before it, which the segment before reported.
    public static func request(_ job: JobRequest, _ segment: VideoSegment) -> JobRequest {
        var r = job
        let jobStart = job.parameters["Start"].flatMap { Int64($0) } ?? 0
        r.parameters["Start"] = String(segment.start)
        if let end = segment.end { r.parameters["End"] = String(end - 1) }
        if segment.start > max(0, jobStart) { r.parameters["ContinuesSampling"] = "1" }
        return r
    }

    /// True for a segment's request that continues its job's sampling.
    static func continues(_ job: JobRequest) -> Bool { job.parameters["ContinuesSampling"] == "1" }
}
