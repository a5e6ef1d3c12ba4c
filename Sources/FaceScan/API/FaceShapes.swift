/// Rekognition's `BoundingBox`: ratios of the frame's width and height.
public struct BoundingBox: Sendable, Equatable, JSONRepresentable {
    public var width: Float, height: Float, left: Float, top: Float

    public init(width: Float, height: Float, left: Float, top: Float) {
        self.width = width; self.height = height; self.left = left; self.top = top
    }

    /// A pixel box as ratios of a frame, clipped to the frame ([0, 1]).
    public init(xmin: Double, ymin: Double, xmax: Double, ymax: Double, frameWidth: Int, frameHeight: Int) {
        let w = Double(frameWidth), h = Double(frameHeight)
        let l = min(max(xmin / w, 0), 1), t = min(max(ymin / h, 0), 1)
        let r = min(max(xmax / w, 0), 1), b = min(max(ymax / h, 0), 1)
        self.init(width: Float(max(0, r - l)), height: Float(max(0, b - t)), left: Float(l), top: Float(t))
    }

    public var json: JSON {
        .object([("Width", .float(width)), ("Height", .float(height)), ("Left", .float(left)), ("Top", .float(top))])
    }
}

/// Rekognition's `FaceDetail`, with the attributes facescan computes (others are left out).
public struct FaceDetail: Sendable, JSONRepresentable {
    public var boundingBox: BoundingBox
    /// Percent (0–100) that this is a face.
    public var confidence: Float

    public init(boundingBox: BoundingBox, confidence: Float) {
        self.boundingBox = boundingBox
        self.confidence = confidence
    }

    public var json: JSON {
        .object([("BoundingBox", boundingBox.json), ("Confidence", .float(confidence))])
    }
}

/// Rekognition's `FaceDetection`: a face at a time in the video.
public struct FaceDetection: Sendable, JSONRepresentable {
    /// Milliseconds from the start of the video.
    public var timestamp: Int64
    public var face: FaceDetail

    public init(timestamp: Int64, face: FaceDetail) {
        self.timestamp = timestamp
        self.face = face
    }

    public var json: JSON { .object([("Timestamp", .integer(timestamp)), ("Face", face.json)]) }
}

/// Rekognition's `VideoJobStatus`.
public enum JobStatus: String, Sendable, Codable {
    case inProgress = "IN_PROGRESS", succeeded = "SUCCEEDED", failed = "FAILED"
}

/// Rekognition's `GetFaceDetectionResponse`.
public struct GetFaceDetectionResponse: Sendable, JSONRepresentable {
    public var jobStatus: JobStatus
    public var statusMessage: String?
    public var videoMetadata: VideoMetadata?
    public var nextToken: String?
    public var faces: [FaceDetection]

    public init(jobStatus: JobStatus, statusMessage: String? = nil, videoMetadata: VideoMetadata?, nextToken: String? = nil, faces: [FaceDetection]) {
        self.jobStatus = jobStatus
        self.statusMessage = statusMessage
        self.videoMetadata = videoMetadata
        self.nextToken = nextToken
        self.faces = faces
    }

    public var json: JSON {
        .members([
            ("JobStatus", .string(jobStatus.rawValue)),
            ("StatusMessage", statusMessage.map { .string($0) }),
            ("VideoMetadata", videoMetadata?.json),
            ("NextToken", nextToken.map { .string($0) }),
            ("Faces", .array(faces.map(\.json))),
        ])
    }
}
