/// Rekognition's `BoundingBox`: ratios of the frame's width and height.
public struct BoundingBox: Sendable, Equatable, Codable, JSONRepresentable {
    public var width: Float, height: Float, left: Float, top: Float

    public init(width: Float, height: Float, left: Float, top: Float) {
        self.width = width; self.height = height; self.left = left; self.top = top
    }

    /// Intersection over union with another box of the same frame.
    public func iou(_ b: BoundingBox) -> Float {
        let x0 = max(left, b.left), y0 = max(top, b.top)
        let x1 = min(left + width, b.left + b.width), y1 = min(top + height, b.top + b.height)
        let inter = max(0, x1 - x0) * max(0, y1 - y0)
        let union = width * height + b.width * b.height - inter
        return union > 0 ? inter / union : 0
    }

    /// A pixel box as ratios of a frame. Not clipped: as the service documents, Left and Top can be
    /// negative, and Left + Width or Top + Height above 1, for a face cut by the frame's edge, so the box
    /// keeps its centre and size (and the face's landmarks stay inside it).
    public init(xmin: Double, ymin: Double, xmax: Double, ymax: Double, frameWidth: Int, frameHeight: Int) {
        let w = Double(frameWidth), h = Double(frameHeight)
        self.init(width: Float(max(0, xmax - xmin) / w), height: Float(max(0, ymax - ymin) / h),
                  left: Float(xmin / w), top: Float(ymin / h))
    }

    public var json: JSON {
        .object([("Width", .float(width)), ("Height", .float(height)), ("Left", .float(left)), ("Top", .float(top))])
    }
}

/// Rekognition's `Landmark`: a facial feature's position as ratios of the frame.
public struct Landmark: Sendable, Codable, JSONRepresentable {
    public var type: String
    public var x: Float, y: Float
    public init(type: String, x: Float, y: Float) { self.type = type; self.x = x; self.y = y }
    public var json: JSON { .object([("Type", .string(type)), ("X", .float(x)), ("Y", .float(y))]) }
}

/// Rekognition's `Pose`, degrees in [−180, 180].
public struct Pose: Sendable, Equatable, Codable, JSONRepresentable {
    public var roll: Float, yaw: Float, pitch: Float
    public init(roll: Float, yaw: Float, pitch: Float) { self.roll = roll; self.yaw = yaw; self.pitch = pitch }
    public var json: JSON { .object([("Roll", .float(roll)), ("Yaw", .float(yaw)), ("Pitch", .float(pitch))]) }
}

/// Rekognition's `ImageQuality`, both in [0, 100].
public struct ImageQuality: Sendable, Equatable, Codable, JSONRepresentable {
    public var brightness: Float, sharpness: Float
    public init(brightness: Float, sharpness: Float) { self.brightness = brightness; self.sharpness = sharpness }
    public var json: JSON { .object([("Brightness", .float(brightness)), ("Sharpness", .float(sharpness))]) }
}

/// A yes/no attribute with a Confidence (Rekognition's EyeOpen, MouthOpen, …).
public struct BooleanAttribute: Sendable, Equatable, Codable, JSONRepresentable {
    public var value: Bool
    public var confidence: Float
    public init(value: Bool, confidence: Float) { self.value = value; self.confidence = confidence }
    public var json: JSON { .object([("Value", .bool(value)), ("Confidence", .float(confidence))]) }
}

/// Rekognition's `EyeDirection`: where the eyes look, degrees, with a Confidence.
public struct EyeDirection: Sendable, Equatable, Codable, JSONRepresentable {
    public var yaw: Float, pitch: Float, confidence: Float
    public init(yaw: Float, pitch: Float, confidence: Float) { self.yaw = yaw; self.pitch = pitch; self.confidence = confidence }
    public var json: JSON { .object([("Yaw", .float(yaw)), ("Pitch", .float(pitch)), ("Confidence", .float(confidence))]) }
}

/// Rekognition's `Emotion`: a type (HAPPY, SAD, ANGRY, SURPRISED, DISGUSTED, FEAR, CALM) and its Confidence.
public struct Emotion: Sendable, Codable, JSONRepresentable {
    public var type: String
    public var confidence: Float
    public init(type: String, confidence: Float) { self.type = type; self.confidence = confidence }
    public var json: JSON { .object([("Type", .string(type)), ("Confidence", .float(confidence))]) }
}

/// Rekognition's `FaceDetail`, with the attributes facescan computes. Attributes it cannot compute
/// honestly (AgeRange, Gender, Beard, Mustache, Eyeglasses, Sunglasses, FaceOccluded, Smile) are never
/// present.
public struct FaceDetail: Sendable, Codable, JSONRepresentable {
    public var boundingBox: BoundingBox
    public var landmarks: [Landmark]?
    public var pose: Pose?
    public var quality: ImageQuality?
    /// Percent (0–100) that this is a face.
    public var confidence: Float
    /// ALL only.
    public var eyesOpen: BooleanAttribute?
    public var mouthOpen: BooleanAttribute?
    public var eyeDirection: EyeDirection?
    /// ALL only, for a face with a mesh: fer's expression classifier.
    public var emotions: [Emotion]?

    public init(boundingBox: BoundingBox, confidence: Float) {
        self.boundingBox = boundingBox
        self.confidence = confidence
    }

    /// In the order of botocore's FaceDetail shape.
    public var json: JSON {
        .members([
            ("BoundingBox", boundingBox.json),
            ("EyesOpen", eyesOpen?.json),
            ("MouthOpen", mouthOpen?.json),
            ("Emotions", emotions.map { .array($0.map(\.json)) }),
            ("Landmarks", landmarks.map { .array($0.map(\.json)) }),
            ("Pose", pose?.json),
            ("Quality", quality?.json),
            ("Confidence", .float(confidence)),
            ("EyeDirection", eyeDirection?.json),
        ])
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
