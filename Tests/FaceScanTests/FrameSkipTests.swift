import Foundation
import Testing
@testable import FaceScan

/// Frames that cannot be sampled are left undecoded where the codec allows it (non-reference frames
/// far from the next sample time), and the frames taken are exactly those of a full decode.
@Suite struct FrameSkipTests {
    /// 8 s at 30 fps, x264 with B-frame runs of 3 (pyramid), a moving test pattern.
    static let video: String = {
        let out = TestSupport.scratch("frameskip").appendingPathComponent("b-frames.mp4").path
        try! TestSupport.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-t", "8", "-c:v", "libx264",
                                 "-x264-params", "bframes=3:b-pyramid=normal:keyint=90", "-pix_fmt", "yuv420p", out])
        return out
    }()

    static func frames(_ path: String, _ sampling: FrameSampling, skip: Bool, start: Int64? = nil, end: Int64? = nil) throws
        -> (frames: [(Int64, Int)], discardable: Int, decoded: Int) {
        let r = try VideoReader(path: path)
        r.skipsUnneededFrames = skip
        r.configure(sampling: sampling, start: start, end: end)
        var out: [(Int64, Int)] = []
        while let f = try r.next() { out.append((f.timestamp, f.image.pixels.reduce(0) { $0 &+ Int($1) })) }
        return (out, r.discardablePackets, r.decodedFrames)
    }

    @Test(arguments: [1.0, 2, 5, 7, 12, 29.97])
    func sameFramesAsAFullDecode(_ fps: Double) throws {
        let full = try Self.frames(Self.video, .rate(fps), skip: false)
        let skipping = try Self.frames(Self.video, .rate(fps), skip: true)
        #expect(full.discardable == 0)
        #expect(skipping.frames.map(\.0) == full.frames.map(\.0), "the same timestamps at \(fps) fps")
        #expect(skipping.frames.map(\.1) == full.frames.map(\.1), "the same pixels at \(fps) fps")
        if fps <= 7 { #expect(skipping.discardable > 0, "at \(fps) fps some B-frames need no decoding") }
    }

    @Test func theDecoderSkipsTheFramesFarFromASampleTime() throws {
        // At 5 frames/s, half of the frames are more than a frame from a sample time, and about half are
        // non-reference B-frames: a quarter of the frames or more need no decoding. Judged by the
        // frames the decoder had returned (several packets behind, with frame threads and reordering),
        // nearly every packet looked needed: 213 of 240 frames were decoded (now 170).
        let full = try Self.frames(Self.video, .rate(5), skip: false)
        let skipping = try Self.frames(Self.video, .rate(5), skip: true)
        #expect(full.decoded == 240)
        #expect(skipping.decoded <= 180, "\(skipping.decoded) of 240 frames decoded")
        #expect(skipping.frames.map(\.0) == full.frames.map(\.0))
    }

    @Test func rangesAndEveryFrameAndTheSamples() throws {
        let a = try Self.frames(Self.video, .rate(3), skip: false, start: 2500, end: 6100)
        let b = try Self.frames(Self.video, .rate(3), skip: true, start: 2500, end: 6100)
        #expect(a.frames.map(\.0) == b.frames.map(\.0) && a.frames.map(\.1) == b.frames.map(\.1))
        let all = try Self.frames(Self.video, .everyFrame, skip: true)
        #expect(all.discardable == 0 && all.frames.count == 240, "every frame is decoded for --sample-rate all")
        for name in ["face-zoom.mp4", "phone-rotated.mp4", "several-faces.mp4"] {
            let path = JobCommandTests.sample(name)
            let x = try Self.frames(path, .default, skip: false), y = try Self.frames(path, .default, skip: true)
            #expect(x.frames.map(\.0) == y.frames.map(\.0) && x.frames.map(\.1) == y.frames.map(\.1), "\(name)")
        }
    }
}
