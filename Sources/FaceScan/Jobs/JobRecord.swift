import Foundation

/// What a job was asked to do: the Start operation and its parameters. Two requests with the same
/// ClientRequestToken start one job when they are equal, and are an IdempotentParameterMismatchException
/// when they are not.
public struct JobRequest: Codable, Equatable, Sendable {
    /// The Start operation, e.g. "StartFaceDetection".
    public var api: String
    /// The input file, as an absolute path.
    public var video: String
    public var jobTag: String?
    /// `--notification-command`: run with /bin/sh once the job ends.
    public var notificationCommand: String?
    /// The operation's own parameters by name (e.g. FaceAttributes, SampleRate, Start, End, MinConfidence).
    public var parameters: [String: String]

    public init(api: String, video: String, jobTag: String? = nil, notificationCommand: String? = nil,
                parameters: [String: String] = [:]) {
        self.api = api
        self.video = video
        self.jobTag = jobTag
        self.notificationCommand = notificationCommand
        self.parameters = parameters
    }
}

/// How far a running job got.
public struct JobProgress: Codable, Equatable, Sendable {
    public var frames: Int
    public var positionMillis: Int64
    public var durationMillis: Int64?

    public init(frames: Int, positionMillis: Int64, durationMillis: Int64?) {
        self.frames = frames
        self.positionMillis = positionMillis
        self.durationMillis = durationMillis
    }

    /// "analysed 42 frames, 0:00:08.4 of 0:00:30.0 of video (28%)"
    public var description: String {
        var text = "analysed \(frames) frame\(frames == 1 ? "" : "s"), \(JobProgress.clock(positionMillis))"
        if let d = durationMillis, d > 0 {
            text += " of \(JobProgress.clock(d)) of video (\(Int(min(100, Double(positionMillis) * 100 / Double(d))))%)"
        } else {
            text += " of video"
        }
        return text
    }

    static func clock(_ ms: Int64) -> String {
        let s = ms / 1000
        return String(format: "%d:%02d:%02d.%01d", s / 3600, s / 60 % 60, s % 60, ms % 1000 / 100)
    }
}

/// VideoMetadata as the store keeps it (the frame rate as text, so that it reads back bit for bit).
struct StoredVideoMetadata: Codable, Equatable, Sendable {
    var codec: String
    var format: String
    var durationMillis: Int64?
    var frameRate: String?
    var frameWidth: Int
    var frameHeight: Int
    var colorRange: String

    init(_ m: VideoMetadata) {
        codec = m.codec
        format = m.format
        durationMillis = m.durationMillis
        frameRate = m.frameRate?.description
        frameWidth = m.frameWidth
        frameHeight = m.frameHeight
        colorRange = m.colorRange
    }

    var metadata: VideoMetadata {
        VideoMetadata(codec: codec, format: format, durationMillis: durationMillis, frameRate: frameRate.flatMap { Float($0) },
                      frameWidth: frameWidth, frameHeight: frameHeight, colorRange: colorRange)
    }
}

/// A job as stored in `jobs/ID/job.json`: request, status and where its results are. The file is only
/// ever replaced atomically, under the job's lock.
public struct JobRecord: Codable, Sendable {
    public var version = 1
    public var jobId: String
    public var request: JobRequest
    public var clientRequestToken: String?
    /// The directory the job was started in (the notification command runs there).
    public var workingDirectory: String?
    public var status: JobStatus
    public var statusMessage: String?
    /// Unix epoch milliseconds.
    public var creationTimestamp: Int64
    public var completionTimestamp: Int64?
    /// The process running the job (while IN_PROGRESS).
    public var worker: WorkerIdentity?
    public var progress: JobProgress?
    var storedMetadata: StoredVideoMetadata?
    /// Number of result items (set when the job SUCCEEDED).
    public var itemCount: Int?
    /// Things worth a warning (e.g. skipped corrupt packets).
    public var warnings: [String] = []
    /// The notification command has been started for the job's end.
    public var notified = false

    public var videoMetadata: VideoMetadata? {
        get { storedMetadata?.metadata }
        set { storedMetadata = newValue.map(StoredVideoMetadata.init) }
    }

    init(jobId: String, request: JobRequest, clientRequestToken: String?, workingDirectory: String?, worker: WorkerIdentity?,
         metadata: VideoMetadata?) {
        self.jobId = jobId
        self.workingDirectory = workingDirectory
        self.request = request
        self.clientRequestToken = clientRequestToken
        self.status = .inProgress
        self.creationTimestamp = StoreIO.nowMillis()
        self.worker = worker
        self.videoMetadata = metadata
    }

    /// StatusMessage as Get reports it: the failure, or how far a running job got.
    public var reportedStatusMessage: String? {
        switch status {
        case .inProgress: return progress.map { $0.description } ?? "waiting for the worker to start"
        case .failed: return statusMessage ?? "the job failed"
        case .succeeded: return statusMessage
        }
    }

    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return Array((try? encoder.encode(self)) ?? Data()) + [10]
    }

    /// Decodes a record and checks what the store relies on; a record that is not one the store wrote
    /// (an item count below 0, a job id that is not its own kind) is damaged.
    public static func decode(_ bytes: [UInt8]) throws -> JobRecord {
        let r = try JSONDecoder().decode(JobRecord.self, from: Data(bytes))
        guard r.itemCount.map({ $0 >= 0 }) ?? true, JobStore.isValidId(r.jobId),
              r.progress.map({ $0.frames >= 0 && $0.positionMillis >= 0 }) ?? true else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "values out of range"))
        }
        return r
    }
}
