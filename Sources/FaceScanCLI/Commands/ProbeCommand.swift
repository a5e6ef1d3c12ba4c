import FaceScan

extension CommandTable {
    static let probe = CommandSpec(
        name: "probe",
        summary: "Print a video's VideoMetadata (codec, format, duration, frame rate, size, colour range).",
        details: """
        Opens FILE with FFmpeg and prints {"VideoMetadata": {...}} as GetFaceDetection reports it, without \
        analysing any frame. FrameWidth and FrameHeight are the displayed size (a phone video turned by its \
        display matrix reports the turned size). A still image reports DurationMillis 0 and no FrameRate.
        """,
        positionals: [PositionalSpec("FILE", help: "a video or image file")],
        examples: ["facescan probe SampleVideos/face-zoom.mp4 | jq .VideoMetadata.DurationMillis"],
        run: { args, _ in
            let reader = try VideoReader(path: args.positionals[0])
            return .object([("VideoMetadata", reader.metadata.json)])
        })
}
