import Foundation

/// Which face attributes to compute, as StartFaceDetection's FaceAttributes parameter.
public enum FaceAttributes: String, Sendable, Codable, CaseIterable {
    /// BoundingBox, Confidence, Landmarks, Pose, Quality.
    case `default` = "DEFAULT"
    /// DEFAULT plus the attributes facescan can compute honestly from geometry.
    case all = "ALL"
}

/// What to analyse and how: the parameters of a face-detection run.
public struct FaceDetectionRequest: Sendable {
    public var path: String
    public var sampling: FrameSampling = .default
    /// Time range in milliseconds (nil: from the start / to the end).
    public var start: Int64?
    public var end: Int64?
    /// Faces with a Confidence (percent) below this are not reported.
    public var minConfidence: Float = 50
    public var faceAttributes: FaceAttributes = .default
    /// How often the full detector runs; faces are followed by their mesh in between.
    public var tracking: TrackingSchedule = .default
    /// The range continues a sampling begun earlier in the video (a segment of a job):
    /// `VideoReader.configure(continuing:)`.
    public var continuesSampling = false

    public init(path: String) { self.path = path }
}

/// The result of a run, with what the user should be told besides.
public struct FaceDetectionResult: Sendable {
    public var metadata: VideoMetadata
    public var faces: [FaceDetection]
    public var framesAnalysed: Int
    /// Things worth a warning on stderr (e.g. skipped corrupt packets).
    public var warnings: [String]
}

/// Video in, faces out: decode and sample frames, detect faces in each, and turn detections into
/// Rekognition's FaceDetail. Frames are streamed in runs (`FrameRuns`: a full detection, then the faces
/// followed by their mesh until the next one); `threads` runs are analysed at once, one analyser per
/// thread, each taking the next run when it is free, and their frames are handed out in order.
public final class FaceDetectionPipeline {
    private let analyzers: WorkerSet<FaceAnalyzer>

    public init(store: ModelStore = ModelStore(), threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws {
        // Each analyser's detector can spread its tiles over a second thread: when fewer runs than
        // threads are left (the end of a video, a short one), an idle core takes tiles. (Two, not all:
        // every worker holds that many copies of the detector's models.)
        analyzers = try WorkerSet(making: threads, verifying: FaceAnalyzer.models, in: store) { try FaceAnalyzer(store: store, threads: min(threads, 2)) }
    }

    /// Runs the request; `progress(framesAnalysed, position, duration)` is called after every frame.
    public func run(_ request: FaceDetectionRequest, progress: (Int, Int64, Int64?) -> Void = { _, _, _ in }) throws -> FaceDetectionResult {
        var faces: [FaceDetection] = []
        let summary = try stream(request, frame: { _, found in faces += found }, progress: progress)
        return FaceDetectionResult(metadata: summary.metadata, faces: faces, framesAnalysed: summary.framesAnalysed, warnings: summary.warnings)
    }

    /// Runs the request, handing out each analysed frame's faces (possibly none) as soon as the frame is
    /// done, with its Timestamp; the result holds no faces.
    public func stream(_ request: FaceDetectionRequest, frame onFrame: (Int64, [FaceDetection]) throws -> Void,
                       progress: (Int, Int64, Int64?) -> Void = { _, _, _ in }) throws -> FaceDetectionResult {
        let reader = try VideoReader(path: request.path)
        reader.configure(sampling: request.sampling, start: request.start, end: request.end, continuing: request.continuesSampling)
        let runs = RunsAhead(FrameRuns(reader, schedule: request.tracking), capacity: analyzers.workers.count)
        defer { runs.finish() }
        // Analysis has begun (models loaded): a job's Progress says so before the first frame is done.
        progress(0, request.start ?? 0, reader.metadata.durationMillis)
        var frames = 0
        try analyzers.forEachRun(runs, analyse: { analyzer, run in
            try analyzer.analyse(run: run, attributes: request.faceAttributes)
        }, emit: { timestamps, analysed in
            for (timestamp, faces) in zip(timestamps, analysed) {
                try onFrame(timestamp, faces.filter { $0.face.detail.confidence >= request.minConfidence }
                    .map { FaceDetection(timestamp: timestamp, face: $0.face.detail) })
                frames += 1
                progress(frames, timestamp, reader.metadata.durationMillis)
            }
        })
        runs.finish()
        var warnings: [String] = []
        if reader.skippedPackets > 0 {
            warnings.append("\(request.path): skipped \(reader.skippedPackets) packet(s) or frame(s) that could not be decoded")
        }
        return FaceDetectionResult(metadata: reader.metadata, faces: [], framesAnalysed: frames, warnings: warnings)
    }
}
