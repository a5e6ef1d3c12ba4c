import FaceScan

extension CommandTable {
    static let faceAttributesOption = OptionSpec(
        "face-attributes", .choice(["DEFAULT", "ALL"]), valueName: "SET", api: "FaceAttributes", default: "DEFAULT",
        help: "DEFAULT: BoundingBox, Confidence, Landmarks, Pose, Quality; ALL adds EyesOpen, MouthOpen, EyeDirection")

    static let detect = CommandSpec(
        name: "detect",
        summary: "Detect faces in a video or image; print a GetFaceDetection response.",
        details: """
        Decodes FILE, samples frames (5 per second of video by default), finds the faces in each with \
        MediaPipe's BlazeFace full-range detector (on the whole frame and on overlapping tiles, so that \
        faces down to about 32 pixels high are found in large frames) and prints a GetFaceDetection \
        response: JobStatus SUCCEEDED, VideoMetadata, and Faces sorted by Timestamp, each with its \
        BoundingBox (ratios of the frame, clipped to [0, 1]), Confidence, Landmarks (the API's 30 types, \
        from MediaPipe's face mesh and iris models), Pose and Quality; --face-attributes ALL adds \
        EyesOpen, MouthOpen and EyeDirection. Up to 100 faces per frame, the largest first.
        """,
        positionals: [PositionalSpec("FILE", help: "a video or image file")],
        options: VideoOptions.all + [
            OptionSpec("min-confidence", .number(min: 0, max: 100), valueName: "PERCENT", default: "50",
                       help: "report only faces with at least this Confidence"),
            faceAttributesOption,
        ],
        examples: [
            "facescan detect SampleVideos/several-faces.mp4 | jq '.Faces | length'",
            "facescan detect --sample-rate 1 --start 2 --end 4 SampleVideos/face-zoom.mp4 | jq -c '.Faces[] | [.Timestamp, .Face.Confidence]'",
        ],
        validate: VideoOptions.validate,
        run: { args, ctx in
            var request = FaceDetectionRequest(path: args.positionals[0])
            request.sampling = VideoOptions.sampling(args)
            request.start = VideoOptions.millis(args, "start")
            request.end = VideoOptions.millis(args, "end")
            request.minConfidence = Float(args.double("min-confidence") ?? 50)
            request.faceAttributes = FaceAttributes(rawValue: args.string("face-attributes") ?? "DEFAULT") ?? .default
            // Check the input before loading models, so a bad file is reported as such.
            _ = try VideoReader(path: request.path)
            let pipeline = try FaceDetectionPipeline()
            let result = try pipeline.run(request) { frames, position, duration in
                ctx.progress?.update(frames: frames, position: position, duration: duration)
            }
            result.warnings.forEach { ctx.warn("facescan: warning: " + $0) }
            return GetFaceDetectionResponse(jobStatus: .succeeded, videoMetadata: result.metadata, faces: result.faces).json
        })
}
