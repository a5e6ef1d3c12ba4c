/// Information about a video, as Rekognition's `VideoMetadata` shape.
///
/// FrameWidth and FrameHeight are those of the frames as displayed: a phone video whose display matrix
/// turns it by 90 degrees reports the turned size, the size that BoundingBox ratios refer to.
public struct VideoMetadata: Sendable, Equatable, JSONRepresentable {
    /// FFmpeg's codec name, e.g. "h264".
    public var codec: String
    /// FFmpeg's long name of the container format, e.g. "QuickTime / MOV".
    public var format: String
    /// Duration of the video stream in milliseconds (0 for a still image).
    public var durationMillis: Int64?
    /// Frames per second (nil for a still image, which has no frame rate).
    public var frameRate: Float?
    public var frameWidth: Int
    public var frameHeight: Int
    /// "FULL" or "LIMITED".
    public var colorRange: String

    public init(codec: String, format: String, durationMillis: Int64?, frameRate: Float?, frameWidth: Int, frameHeight: Int, colorRange: String) {
        self.codec = codec
        self.format = format
        self.durationMillis = durationMillis
        self.frameRate = frameRate
        self.frameWidth = frameWidth
        self.frameHeight = frameHeight
        self.colorRange = colorRange
    }

    public var json: JSON {
        .members([
            ("Codec", .string(codec)),
            ("DurationMillis", durationMillis.map { .integer($0) }),
            ("Format", .string(format)),
            ("FrameRate", frameRate.map { .float($0) }),
            ("FrameHeight", .integer(Int64(frameHeight))),
            ("FrameWidth", .integer(Int64(frameWidth))),
            ("ColorRange", .string(colorRange)),
        ])
    }
}
