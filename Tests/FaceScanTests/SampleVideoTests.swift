import Foundation
import Testing

/// `facescan probe` on every committed sample: passes the shape check and agrees with ffprobe.
@Suite struct SampleVideoTests {
    static let samples: [String] = {
        let dir = TestSupport.repoRoot.appendingPathComponent("SampleVideos")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
            .filter { $0.hasSuffix(".mp4") }.sorted().map { dir.appendingPathComponent($0).path }
    }()

    @Test(arguments: samples)
    func probeMatchesFFprobe(path: String) throws {
        let r = try TestSupport.facescan(["probe", path])
        #expect(r.status == 0, "\(r.stderr)")
        try TestSupport.shapeCheck("GetFaceDetection", r.stdout)
        let meta = try #require(try parseJSON(r.stdout)["VideoMetadata"] as? [String: Any])
        let probe = try TestSupport.ffprobe(path, ["-select_streams", "v:0", "-show_streams", "-show_format"])
        let stream = try #require((probe["streams"] as? [[String: Any]])?.first)
        let format = try #require(probe["format"] as? [String: Any])
        #expect(meta["Codec"] as? String == stream["codec_name"] as? String)
        #expect(meta["Format"] as? String == format["format_long_name"] as? String)
        let rotation = ((stream["side_data_list"] as? [[String: Any]])?.first?["rotation"] as? Int) ?? 0
        let (w, h) = (stream["width"] as! Int, stream["height"] as! Int)
        let sideways = abs(rotation) % 180 == 90
        #expect(meta["FrameWidth"] as? Int == (sideways ? h : w))
        #expect(meta["FrameHeight"] as? Int == (sideways ? w : h))
        let rate = (stream["avg_frame_rate"] as! String).split(separator: "/").compactMap { Double($0) }
        #expect(abs((meta["FrameRate"] as? Double ?? 0) - rate[0] / rate[1]) < 1e-3)
        let duration = Double(stream["duration"] as! String)! * 1000
        #expect(abs(Double(meta["DurationMillis"] as? Int ?? -1) - duration) <= 1)
        #expect(meta["ColorRange"] as? String == ((stream["color_range"] as? String) == "pc" ? "FULL" : "LIMITED"))
    }
}
