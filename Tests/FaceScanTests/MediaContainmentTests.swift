import Foundation
import Testing
@testable import FaceScan

/// An input file is read as itself: FFmpeg is never led by its contents to open another file or a
/// network address (playlists, concat lists, image-sequence patterns), and a small file cannot claim a
/// huge frame.
@Suite struct MediaContainmentTests {
    static var astronaut: String { SearchFixtures.photos.appendingPathComponent("astronaut.png").path }

    static func faces(_ path: String) throws -> TestSupport.Result {
        try TestSupport.facescan(["detect-faces", path])
    }

    @Test func playlistsDoNotOpenOtherFiles() throws {
        let dir = TestSupport.scratch()
        let face = dir.appendingPathComponent("face.png").path
        try FileManager.default.copyItem(atPath: Self.astronaut, toPath: face)
        #expect(try parseJSON(try Self.faces(face).stdout)["FaceDetails"].map { ($0 as? [Any])?.count } == 1, "the face itself is found")
        let cases: [(String, String)] = [
            ("list.ffconcat", "ffconcat version 1.0\nfile face.png\n"),
            ("list.txt", "ffconcat version 1.0\nfile '\(face)'\n"),
            ("play.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nface.png\n#EXT-X-ENDLIST\n"),
            ("stream.sdp", "v=0\no=- 0 0 IN IP4 127.0.0.1\ns=x\nc=IN IP4 127.0.0.1\nt=0 0\nm=video 45000 RTP/AVP 96\na=rtpmap:96 H264/90000\n"),
        ]
        for (name, text) in cases {
            let path = dir.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let args = ["detect-faces", path]
            try JobCommandTests.expectError(try TestSupport.facescan(args), args, .invalidImageFormat, mentioning: name)
        }
    }

    @Test func aPercentInTheNameIsNotAPattern() throws {
        let dir = TestSupport.scratch()
        // "a%d.jpg" is a real file (no face); "a1.jpg", which image2's pattern would read, has a face.
        try FileManager.default.copyItem(atPath: TestSupport.opencvData("fruits.jpg"), toPath: dir.appendingPathComponent("a%d.jpg").path)
        try FileManager.default.copyItem(atPath: Self.astronaut, toPath: dir.appendingPathComponent("a1.jpg").path)
        let r = try Self.faces(dir.appendingPathComponent("a%d.jpg").path)
        #expect(r.status == 0, "\(r.stderr)")
        #expect((try parseJSON(r.stdout)["FaceDetails"] as? [Any])?.isEmpty == true, "the file named, not a1.jpg: \(r.stdout.prefix(200))")
    }

    @Test func aSmallFileCannotClaimAHugeFrame() throws {
        let path = TestSupport.scratch().appendingPathComponent("huge.png").path
        try TestSupport.ffmpeg(["-f", "lavfi", "-i", "color=gray:s=8000x6000", "-frames:v", "1", path])
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        #expect(size < 2_000_000, "a small file: \(size) bytes")
        let args = ["detect-faces", path]
        try JobCommandTests.expectError(try TestSupport.facescan(args), args, .imageTooLarge, mentioning: "megapixels")
    }
}
