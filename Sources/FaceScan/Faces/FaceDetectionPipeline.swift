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
/// Rekognition's FaceDetail. Frames are streamed one at a time.
public final class FaceDetectionPipeline {
    public let analyzer: FaceAnalyzer

    public init(store: ModelStore = ModelStore(), threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws {
        analyzer = try FaceAnalyzer(store: store, threads: threads)
    }

    /// Runs the request; `progress(framesAnalysed, position, duration)` is called after every frame.
    public func run(_ request: FaceDetectionRequest, progress: (Int, Int64, Int64?) -> Void = { _, _, _ in }) throws -> FaceDetectionResult {
        let reader = try VideoReader(path: request.path)
        reader.configure(sampling: request.sampling, start: request.start, end: request.end)
        var faces: [FaceDetection] = []
        var frames = 0
        while let frame = try reader.next() {
            for face in try analyzer.analyse(frame.image, attributes: request.faceAttributes) where face.detail.confidence >= request.minConfidence {
                faces.append(FaceDetection(timestamp: frame.timestamp, face: face.detail))
            }
            frames += 1
            progress(frames, frame.timestamp, reader.metadata.durationMillis)
        }
        var warnings: [String] = []
        if reader.skippedPackets > 0 {
            warnings.append("\(request.path): skipped \(reader.skippedPackets) packet(s) or frame(s) that could not be decoded")
        }
        return FaceDetectionResult(metadata: reader.metadata, faces: faces, framesAnalysed: frames, warnings: warnings)
    }
}
