/// What a streaming run reports at the end (the faces went out frame by frame).
struct StreamingRunSummary: Sendable {
    var metadata: VideoMetadata
    var framesAnalysed: Int
    var warnings: [String]
}

extension FaceDetectionPipeline {
    /// `run(_:progress:)`, handing out each analysed frame's faces as soon as the frame is done, so that a
    /// job's results can be stored and paged while the analysis goes on.
    ///
    /// This mirrors `run`'s loop step for step (same frames, same faces, same order), built from the
    /// pipeline's own parts; `JobPipelineParityTests` checks that both give the same document. When
    /// `run` grows a per-frame hook this becomes a call to it.
    /// - Parameters:
    ///   - frame: called after every analysed frame with its Timestamp and faces (possibly none).
    ///   - progress: `(framesAnalysed, position, duration)` after every frame, as `run` reports it.
    func runStreaming(_ request: FaceDetectionRequest, frame onFrame: (Int64, [FaceDetection]) throws -> Void,
                      progress: (Int, Int64, Int64?) -> Void = { _, _, _ in }) throws -> StreamingRunSummary {
        let reader = try VideoReader(path: request.path)
        reader.configure(sampling: request.sampling, start: request.start, end: request.end)
        var frames = 0
        while let frame = try reader.next() {
            var faces: [FaceDetection] = []
            for d in try detector.detect(frame.image) {
                let detail = faceDetail(d, width: frame.image.width, height: frame.image.height)
                if detail.confidence >= request.minConfidence {
                    faces.append(FaceDetection(timestamp: frame.timestamp, face: detail))
                }
            }
            try onFrame(frame.timestamp, faces)
            frames += 1
            progress(frames, frame.timestamp, reader.metadata.durationMillis)
        }
        var warnings: [String] = []
        if reader.skippedPackets > 0 {
            warnings.append("\(request.path): skipped \(reader.skippedPackets) packet(s) or frame(s) that could not be decoded")
        }
        return StreamingRunSummary(metadata: reader.metadata, framesAnalysed: frames, warnings: warnings)
    }
}
