import FaceScan
import Foundation

extension CommandTable {
    static let draw = CommandSpec(
        name: "draw",
        summary: "Draw a detect or search result on its video: frames, an annotated video, a contact sheet, a timeline.",
        details: """
        Reads a facescan result for VIDEO (a GetFaceDetection or GetFaceSearch document, or its pages as \
        JSON lines, on stdin or from --result FILE, or a stored job with --job-id) and writes the pictures \
        asked for, in one pass over the video: --frames DIR, each sampled frame with faces as a PNG \
        (frame-MILLISECONDS.png): boxes, landmarks as dots, and for a search the person's Index and the \
        matched ExternalImageId with its Similarity beside the box; --annotated-video OUT.mp4, every \
        frame with that overlay (boxes interpolated between sampled frames, so they do not flicker), \
        H.264 (libx264, CRF 23) with the audio copied; --contact-sheet OUT.png, one row per person \
        (matched people first): the collection's photo of the matched face (with --collection DIR), then \
        the person's best crops (sharp, large, frontal) through the video with their times; --timeline \
        OUT.png, a bar per person over the video's duration, filled where they appear, in the colour of \
        their match (grey: no match), with a time axis. For a detection result, faces are linked into \
        tracks by overlap and each track is a row. Text is DejaVu Sans (Debian's fonts-dejavu-core) \
        through FreeType; PNGs and the video are encoded with FFmpeg. A result made for another video \
        (other frame size or duration) is an InvalidParameterException. Prints what was written.
        """,
        positionals: [PositionalSpec("VIDEO", help: "the video (or image) the result is for")],
        options: [
            OptionSpec("result", .path, valueName: "FILE", help: "the result to draw (default: standard input)"),
            OptionSpec(JobOptions.jobId.name, JobOptions.jobId.kind, valueName: "ID", api: "JobId",
                       help: "draw a stored job's result (start-face-detection, start-face-search, or detect/search with --max-results)"),
            OptionSpec("frames", .path, valueName: "DIR", help: "write each sampled frame with faces as DIR/frame-MILLISECONDS.png"),
            OptionSpec("annotated-video", .path, valueName: "OUT.mp4", help: "write the video with boxes, landmarks and labels on every frame"),
            OptionSpec("contact-sheet", .path, valueName: "OUT.png", help: "write one row per person: collection photo, best crops"),
            OptionSpec("timeline", .path, valueName: "OUT.png", help: "write a bar per person over the video's duration"),
            OptionSpec("collection", .path, valueName: "DIR", help: "the search's collection folder, for its photos on the contact sheet"),
            StoreOption.option,
        ],
        examples: [
            "facescan search --collection known/ clip.mp4 | facescan draw clip.mp4 --timeline t.png --contact-sheet c.png --annotated-video out.mp4",
            "facescan detect clip.mp4 > faces.json && facescan draw clip.mp4 --result faces.json --frames frames/",
        ],
        validate: { args in
            let outputs = ["frames", "annotated-video", "contact-sheet", "timeline"].filter { args.string($0) != nil }
            if outputs.isEmpty { return "say what to draw: --frames DIR, --annotated-video OUT.mp4, --contact-sheet OUT.png or --timeline OUT.png" }
            if args.string("result") != nil && args.string("job-id") != nil { return "give --result FILE or --job-id ID, not both" }
            return nil
        },
        run: { args, ctx in
            let video = args.positionals[0]
            _ = try VideoReader(path: video)
            let result = try FaceResult(documents: try drawInput(args))
            var request = PictureRequest(video: video)
            request.framesDirectory = args.string("frames")
            request.annotatedVideo = args.string("annotated-video")
            request.contactSheet = args.string("contact-sheet")
            request.timeline = args.string("timeline")
            if let dir = args.string("collection"), request.contactSheet != nil {
                let collection = try FaceCollection(directory: URL(fileURLWithPath: dir), analyzer: try FaceAnalyzer(),
                                                    describer: try FaceDescriberFactory.make(store: ModelStore()))
                for e in collection.entries {
                    request.collectionFaces[e.faceId] = (URL(fileURLWithPath: dir).appendingPathComponent(e.path).path,
                                                         BoundingBox(width: e.box[0], height: e.box[1], left: e.box[2], top: e.box[3]))
                }
            }
            let summary = try Pictures(result: result).make(request)
            summary.warnings.forEach { ctx.warn("facescan: warning: " + $0) }
            return .members([
                ("Faces", .integer(Int64(result.faces.count))),
                ("Tracks", .integer(Int64(result.tracks.count))),
                ("Frames", request.framesDirectory.map { .object([("Directory", .string($0)), ("Written", .integer(Int64(summary.framesWritten)))]) }),
                ("AnnotatedVideo", request.annotatedVideo.map { .object([("File", .string($0)), ("Frames", .integer(Int64(summary.videoFrames)))]) }),
                ("ContactSheet", request.contactSheet.map { .string($0) }),
                ("Timeline", request.timeline.map { .string($0) }),
            ])
        })

    /// The result documents: a stored job's pages, a file's or standard input's text (one document, or
    /// one per line).
    static func drawInput(_ args: ParsedArguments) throws -> [JSON] {
        if let id = args.string("job-id") {
            let store = try StoreOption.jobs(args)
            let record = try store.record(id)
            guard let operation = VideoJobOperation.started(by: record.request.api) else {
                throw APIError(.resourceNotFound, "job \(id) is not a face-detection or face-search job")
            }
            var pages: [JSON] = [], token: String? = nil
            repeat {
                let page = try store.page(id, operation: operation, maxResults: JobStore.maxPageSize, nextToken: token)
                guard page.jobStatus == .succeeded else {
                    throw APIError.invalidParameter("job \(id) is \(page.jobStatus.rawValue); only a SUCCEEDED job's result can be drawn")
                }
                pages.append(page.json)
                token = page.nextToken
            } while token != nil
            return pages
        }
        let text: String
        if let path = args.string("result") {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw APIError(.invalidS3Object, "unable to access the object: \(path) cannot be read")
            }
            text = String(decoding: data, as: UTF8.self)
        } else {
            guard isatty(STDIN_FILENO) == 0 else {
                throw APIError.invalidParameter("give the result to draw on standard input (e.g. facescan search ... | facescan draw VIDEO ...), or --result FILE, or --job-id ID")
            }
            text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        }
        do {
            return [try JSON(parsing: text)]
        } catch {
            let lines = text.split(whereSeparator: \.isNewline).filter { !$0.allSatisfy(\.isWhitespace) }
            do {
                return try lines.map { try JSON(parsing: String($0)) }
            } catch {
                throw APIError.invalidParameter("the result is not JSON (one document, or one page per line)")
            }
        }
    }
}
