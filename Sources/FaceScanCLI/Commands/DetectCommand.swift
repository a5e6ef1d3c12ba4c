import FaceScan

extension CommandTable {
    static let detect = CommandSpec(
        name: "detect",
        summary: "Detect faces in a video or image; print a GetFaceDetection response.",
        details: """
        Decodes FILE, samples frames (5 per second of video by default), finds the faces in each with \
        MediaPipe's BlazeFace full-range detector (on the whole frame and on overlapping tiles, so that \
        faces down to about 32 pixels high are found in large frames), plus MTCNN for the small faces of \
        crowds and groups (from about 20 pixels high; in a video from the service's floor where that is \
        larger: 40 pixels at 1080p, proportionally more above), and prints a GetFaceDetection \
        response: JobStatus SUCCEEDED, VideoMetadata, and Faces sorted by Timestamp, each with its \
        BoundingBox (ratios of the frame, not clipped: Left or Top below 0, or the box past 1, for a face \
        cut by the frame's edge), Confidence, Landmarks (the API's 30 types from MediaPipe's face mesh and \
        iris models; eyeLeft, eyeRight and nose from the detector's keypoints for a face the mesh cannot \
        read, such as a profile, and mouthLeft and mouthRight too for a face only MTCNN found), Pose (from \
        the mesh, else from those keypoints) and Quality; --face-attributes ALL adds EyesOpen, MouthOpen, \
        EyeDirection and Emotions (for faces with a mesh). Up to 100 faces per frame, the largest first. \
        In a video, the full detector runs every --detection-interval seconds and at cuts; in between, \
        each face is followed by its face mesh (or found again around its last box) and new faces are \
        looked for on the whole frame, by MTCNN too when the last full detection found a crowd.
        detect is start-face-detection, wait and get-face-detection in one command: the job runs in this \
        process and is kept in the job store only when --max-results or --output jsonl is given (then \
        every page has the JobId, and NextToken works with get-face-detection).
        """,
        positionals: [PositionalSpec("FILE", help: "a video or image file")],
        options: VideoOptions.all + [JobOptions.minConfidence, JobOptions.faceAttributes, JobOptions.maxResults, JobOptions.output],
        examples: [
            "facescan detect SampleVideos/several-faces.mp4 | jq '.Faces | length'",
            "facescan detect --sample-rate 1 --start 2 --end 4 SampleVideos/face-zoom.mp4 | jq -c '.Faces[] | [.Timestamp, .Face.Confidence]'",
            "facescan detect --output jsonl --max-results 20 SampleVideos/face-zoom.mp4 | jq -c '.Faces[].Timestamp'",
        ],
        validate: VideoOptions.validate,
        run: { args, ctx in try JobPorcelain.run(.faceDetection, JobOptions.detectionJob, args, ctx) })
}
