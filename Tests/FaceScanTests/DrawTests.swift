import Foundation
import Testing
@testable import FaceScan

/// `facescan draw` through the built executable: the pictures decode, have their documented sizes, have
/// drawn pixels where the boxes are; the timeline matches its golden; bad results are clean errors.
@Suite struct DrawTests {
    static let goldens = NeuralNetTestSupport.goldensDirectory.appendingPathComponent("draw")

    /// The frame of a picture file, decoded by FFmpeg.
    static func picture(_ path: String) throws -> RGBImage {
        try #require(try VideoReader(path: path).next()).image
    }

    static func pixel(_ image: RGBImage, _ x: Int, _ y: Int) -> [UInt8] {
        let i = (y * image.width + x) * 3
        return Array(image.pixels[i..<(i + 3)])
    }

    @Test func searchResultDrawnEveryWay() throws {
        let dir = TestSupport.scratch()
        let video = SearchFixtures.revisitVideo
        let search = try TestSupport.facescan(["search", "--collection", SearchFixtures.collection.path, "--sample-rate", "2", video])
        #expect(search.status == 0, "\(search.stderr)")
        let result = dir.appendingPathComponent("search.json").path
        try search.stdout.write(toFile: result, atomically: true, encoding: .utf8)
        let out = { (name: String) in dir.appendingPathComponent(name).path }
        // The result on standard input, as in `facescan search … | facescan draw …`.
        let r = try TestSupport.run([TestSupport.executable, "draw", video, "--collection", SearchFixtures.collection.path,
                                     "--frames", out("frames"), "--annotated-video", out("out.mp4"),
                                     "--contact-sheet", out("sheet.png"), "--timeline", out("timeline.png")], stdin: Data(search.stdout.utf8))
        #expect(r.status == 0, "\(r.stderr)")
        let summary = try parseJSON(r.stdout)
        let doc = try parseJSON(search.stdout)
        let persons = try #require(doc["Persons"] as? [[String: Any]])
        let times = Set(persons.compactMap { $0["Timestamp"] as? Int })
        let tracks = Set(persons.compactMap { ($0["Person"] as? [String: Any])?["Index"] as? Int })
        #expect(summary["Faces"] as? Int == persons.count && summary["Tracks"] as? Int == tracks.count)

        // A PNG per sampled time with faces, at the video's size, with the box drawn in the match's colour.
        let frames = try FileManager.default.contentsOfDirectory(atPath: out("frames")).sorted()
        #expect(frames == times.sorted().map { String(format: "frame-%09d.png", $0) })
        let first = try #require(persons.first { !(($0["FaceMatches"] as? [Any])?.isEmpty ?? true) })
        let t = try #require(first["Timestamp"] as? Int)
        let drawn = try Self.picture(out("frames") + String(format: "/frame-%09d.png", t))
        #expect(drawn.width == 640 && drawn.height == 360)
        let box = try #require((first["Person"] as? [String: Any])?["BoundingBox"] as? [String: Double])
        let left = Int((box["Left"]! * 640).rounded()), top = Int((box["Top"]! * 360).rounded())
        let bottom = Int(((box["Top"]! + box["Height"]!) * 360).rounded())
        let edge = Self.pixel(drawn, left, (top + bottom) / 2)
        #expect(edge == [31, 119, 180], "the box's left edge in the first match colour, got \(edge)")

        // The annotated video: every frame of the input, H.264, 640x360.
        let probe = try TestSupport.ffprobe(out("out.mp4"), ["-select_streams", "v:0", "-count_frames", "-show_entries", "stream=codec_name,width,height,nb_read_frames"])
        let stream = try #require((probe["streams"] as? [[String: Any]])?.first)
        let input = try TestSupport.ffprobe(video, ["-select_streams", "v:0", "-count_frames", "-show_entries", "stream=nb_read_frames"])
        #expect(stream["codec_name"] as? String == "h264" && stream["width"] as? Int == 640 && stream["height"] as? Int == 360)
        #expect(stream["nb_read_frames"] as? String == (input["streams"] as? [[String: Any]])?.first?["nb_read_frames"] as? String)
        #expect((summary["AnnotatedVideo"] as? [String: Any])?["Frames"] as? Int == Int(stream["nb_read_frames"] as? String ?? ""))

        // The timeline: 1200 wide, a 24-pixel row per person; the contact sheet: a row per person.
        let timeline = try Self.picture(out("timeline.png"))
        #expect(timeline.width == 1200 && timeline.height == 40 + tracks.count * 24 + 46)
        let sheet = try Self.picture(out("sheet.png"))
        #expect(sheet.width == 190 + 7 * 120 + 8 && sheet.height == 34 + tracks.count * 148 + 8)
        // The collection's photo of the first matched person sits in the first row's second column.
        let photoPixel = Self.pixel(sheet, 190 + 56, 34 + 56)
        #expect(photoPixel != [224, 224, 224] && photoPixel != [255, 255, 255], "a photo, not the placeholder: \(photoPixel)")
    }

    @Test func timelineMatchesItsGolden() throws {
        let out = TestSupport.scratch().appendingPathComponent("timeline.png").path
        let r = try TestSupport.facescan(["draw", JobCommandTests.sample("face-zoom.mp4"), "--result",
                                          Self.goldens.appendingPathComponent("timeline-result.json").path, "--timeline", out])
        #expect(r.status == 0, "\(r.stderr)")
        let got = try Self.picture(out), golden = try Self.picture(Self.goldens.appendingPathComponent("timeline.png").path)
        #expect(got.width == golden.width && got.height == golden.height)
        let differing = zip(got.pixels, golden.pixels).filter { $0 != $1 }.count
        #expect(differing == 0, "\(differing) channel values differ from the golden (scripts/make_draw_golden.sh)")
        // Alice's bar (#0, matched first: the first colour) covers 0 to 1.5 s of the 6-second video.
        #expect(Self.pixel(got, 190 + 10, 40 + 8) == [31, 119, 180])
        #expect(Self.pixel(got, 190 + Int(986.0 * 1.4 / 6), 40 + 8) == [31, 119, 180])
        #expect(Self.pixel(got, 190 + Int(986.0 * 1.6 / 6), 40 + 8) == [246, 246, 246])
    }

    @Test func detectionResultsAreLinkedIntoTracks() throws {
        let dir = TestSupport.scratch()
        let video = JobCommandTests.sample("face-zoom.mp4")
        let detect = try TestSupport.facescan(["detect", "--sample-rate", "2", video])
        let r = try TestSupport.run([TestSupport.executable, "draw", video, "--timeline", dir.appendingPathComponent("t.png").path],
                                    stdin: Data(detect.stdout.utf8))
        #expect(r.status == 0, "\(r.stderr)")
        // One face zooming in: one track.
        #expect(try parseJSON(r.stdout)["Tracks"] as? Int == 1, "\(r.stdout)")
    }

    @Test func badResultsAreCleanErrors() throws {
        let dir = TestSupport.scratch()
        let video = JobCommandTests.sample("face-zoom.mp4")
        let t = dir.appendingPathComponent("t.png").path
        func expect(_ args: [String], stdin: String, _ kind: APIError.Kind, _ fragment: String) throws {
            let r = try TestSupport.run([TestSupport.executable] + args, stdin: Data(stdin.utf8))
            try JobCommandTests.expectError(r, args, kind, mentioning: fragment)
        }
        try expect(["draw", video], stdin: "{}", .invalidParameter, "say what to draw")
        try expect(["draw", video, "--timeline", t], stdin: "not json", .invalidParameter, "not JSON")
        try expect(["draw", video, "--timeline", t], stdin: #"{"Labels": []}"#, .invalidParameter, "neither")
        try expect(["draw", video, "--timeline", t], stdin: #"{"Faces": [{"Timestamp": 0}]}"#, .invalidParameter, "BoundingBox")
        let other = #"{"VideoMetadata": {"FrameWidth": 1920, "FrameHeight": 1080}, "Faces": []}"#
        try expect(["draw", video, "--timeline", t], stdin: other, .invalidParameter, "1920x1080")
        try expect(["draw", "/nonexistent.mp4", "--timeline", t], stdin: "{}", .invalidS3Object, "nonexistent")
        #expect(!FileManager.default.fileExists(atPath: t), "nothing written on failure")
    }
}
