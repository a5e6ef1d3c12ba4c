import Foundation
import Testing
@testable import FaceScan

/// Decoding and sampling, on videos the tests make with ffmpeg (installed by `make test`).
@Suite struct VideoReaderTests {
    /// 3 s of a 320x240 test pattern at 30 fps, H.264.
    static let cfr: String = {
        let path = TestSupport.scratch("cfr").appendingPathComponent("cfr.mp4").path
        try! TestSupport.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=320x240:rate=30", "-t", "3",
                                 "-c:v", "libx264", "-pix_fmt", "yuv420p", path])
        return path
    }()

    static func timestamps(_ path: String, _ sampling: FrameSampling, start: Int64? = nil, end: Int64? = nil) throws -> [Int64] {
        let reader = try VideoReader(path: path)
        reader.configure(sampling: sampling, start: start, end: end)
        var out: [Int64] = []
        while let frame = try reader.next() { out.append(frame.timestamp) }
        return out
    }

    @Test(arguments: [
        (FrameSampling.everyFrame, 90),
        (.rate(30), 90),
        (.rate(5), 15),
        (.rate(1), 3),
        (.rate(2.5), 8),
        (.rate(7), 21),
    ])
    func frameCountsAtSampleRates(sampling: FrameSampling, expected: Int) throws {
        let ts = try Self.timestamps(Self.cfr, sampling)
        #expect(ts.count == expected)
        #expect(ts.first == 0)
        #expect(ts == ts.sorted())
        if case .rate(let fps) = sampling, fps < 30 {
            // Each sample is the first frame at or after its slot k/fps (within half a frame).
            for (k, t) in ts.enumerated() {
                let slot = Double(k) * 1000 / fps
                #expect(Double(t) >= slot - 17 && Double(t) < slot + 34, "sample \(k) at \(t) ms, slot \(slot)")
            }
        }
    }

    @Test func everyFrameTimestampsAreMilliseconds() throws {
        let ts = try Self.timestamps(Self.cfr, .everyFrame)
        #expect(ts.prefix(4) == [0, 33, 67, 100])
        #expect(ts.last == 2967)
    }

    @Test func metadataOfATestVideo() throws {
        let m = try VideoReader(path: Self.cfr).metadata
        #expect(m.codec == "h264")
        #expect(m.format == "QuickTime / MOV")
        #expect(m.frameWidth == 320 && m.frameHeight == 240)
        #expect(m.frameRate == 30)
        #expect(m.durationMillis == 3000)
        #expect(m.colorRange == "LIMITED")
    }

    @Test func timeRange() throws {
        let ts = try Self.timestamps(Self.cfr, .rate(5), start: 1000, end: 2000)
        #expect(ts == [1000, 1200, 1400, 1600, 1800, 2000])
    }

    @Test func variableFrameRateMatchesFFprobe() throws {
        let dir = TestSupport.scratch()
        let path = dir.appendingPathComponent("vfr.mkv").path
        // 60 frames, the second half spaced twice as far apart, plus a jump.
        try TestSupport.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=160x120:rate=30", "-frames:v", "60",
                                "-vf", "setpts='if(lt(N,30),N,30+2*(N-30)+if(gte(N,45),7,0))/30/TB'",
                                "-vsync", "vfr", "-c:v", "libx264", "-pix_fmt", "yuv420p", path])
        let probe = try TestSupport.ffprobe(path, ["-select_streams", "v", "-show_entries", "frame=pts_time,best_effort_timestamp_time"])
        let frames = probe["frames"] as! [[String: Any]]
        let seconds = frames.compactMap { ($0["best_effort_timestamp_time"] as? String).flatMap(Double.init) }
        let expected = seconds.map { Int64((($0 - seconds[0]) * 1000).rounded()) }
        let ts = try Self.timestamps(path, .everyFrame)
        #expect(ts == expected)
        #expect(ts.count == 60)
        // Sampled at 5 fps: the gaps are honoured (no sample invented inside a gap).
        let sampled = try Self.timestamps(path, .rate(5))
        for t in sampled { #expect(expected.contains(t)) }
        #expect(sampled == sampled.sorted())
    }

    @Test func oddFrameSize() throws {
        let path = TestSupport.scratch().appendingPathComponent("odd.mkv").path
        try TestSupport.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=321x239:rate=10", "-t", "1",
                                "-c:v", "libx264", "-pix_fmt", "yuv444p", path])
        let reader = try VideoReader(path: path)
        #expect(reader.metadata.frameWidth == 321 && reader.metadata.frameHeight == 239)
        reader.configure(sampling: .everyFrame)
        var n = 0
        while let f = try reader.next() {
            #expect(f.image.width == 321 && f.image.height == 239)
            n += 1
        }
        #expect(n == 10)
    }

    /// swscale's flags for video frames (its vectorised converter) and for still images (accurate).
    static let videoFlags = "bilinear", stillFlags = "bilinear+accurate_rnd+full_chroma_int"

    /// Decodes one RGB frame with the ffmpeg CLI (which applies the display matrix itself).
    static func ffmpegFrame(_ path: String, width: Int, height: Int, flags: String = videoFlags) throws -> [UInt8] {
        let out = TestSupport.scratch().appendingPathComponent("f.rgb").path
        try TestSupport.ffmpeg(["-i", path, "-frames:v", "1", "-sws_flags", flags, "-pix_fmt", "rgb24", "-f", "rawvideo", out])
        let data = try Data(contentsOf: URL(fileURLWithPath: out))
        #expect(data.count == width * height * 3)
        return [UInt8](data)
    }

    static func meanAbsDiff(_ a: [UInt8], _ b: [UInt8]) -> Double {
        guard a.count == b.count, !a.isEmpty else { return .infinity }
        var s = 0
        for i in 0..<a.count { s += abs(Int(a[i]) - Int(b[i])) }
        return Double(s) / Double(a.count)
    }

    /// Video frames go through swscale's vectorised converter (as the ffmpeg CLI's default conversion to
    /// RGB does), which works in blocks of pixels: at widths that are no multiple of 16 it stops short of
    /// the right edge, or writes past the row, unless the rows are padded. Every pixel is converted, the
    /// same as ffmpeg's, to the last column of the last row (at 410 px, unpadded rows corrupted the heap).
    /// Still images keep the accurate conversion, pixel for pixel what the goldens were decoded with.
    @Test(arguments: [(410, 412), (322, 240), (98, 56), (1000, 562)])
    func everyPixelOfAnOddWidthIsConverted(width: Int, height: Int) throws {
        let dir = TestSupport.scratch()
        let video = dir.appendingPathComponent("odd.mp4").path
        try TestSupport.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=\(width)x\(height):rate=10", "-t", "1",
                                "-c:v", "libx264", "-pix_fmt", "yuv420p", video])
        let reader = try VideoReader(path: video)
        reader.configure(sampling: .everyFrame)
        var frames = 0
        while let frame = try reader.next() {
            frames += 1
            guard frames == 1 else { continue }
            let ours = frame.image
            #expect(ours.width == width && ours.height == height && ours.pixels.count == width * height * 3)
            let theirs = try Self.ffmpegFrame(video, width: width, height: height)
            let wrong = (0..<width).filter { x in (0..<height).contains { y in
                (0..<3).contains { c in ours.pixels[(y * width + x) * 3 + c] != theirs[(y * width + x) * 3 + c] } } }
            #expect(wrong.isEmpty, "columns unlike ffmpeg's: \(wrong.prefix(20))")
        }
        #expect(frames == 10)
        // A still image: the accurate conversion, exactly.
        let still = dir.appendingPathComponent("odd.jpg").path
        try TestSupport.ffmpeg(["-i", video, "-frames:v", "1", still])
        let photo = try VideoReader(path: still)
        photo.configure(sampling: .everyFrame)
        #expect(try #require(try photo.next()).image.pixels == (try Self.ffmpegFrame(still, width: width, height: height, flags: Self.stillFlags)))
    }

    @Test(arguments: [90, 180, 270])
    func displayMatrixRotationIsApplied(degrees: Int) throws {
        let dir = TestSupport.scratch()
        let flat = dir.appendingPathComponent("flat.mp4").path
        let turned = dir.appendingPathComponent("turned.mp4").path
        try TestSupport.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=320x240:rate=10", "-t", "1",
                                "-c:v", "libx264", "-pix_fmt", "yuv420p", flat])
        try TestSupport.ffmpeg(["-i", flat, "-c", "copy", "-metadata:s:v:0", "rotate=\(degrees)", turned])
        let reader = try VideoReader(path: turned)
        let sideways = degrees % 180 != 0
        #expect(reader.metadata.frameWidth == (sideways ? 240 : 320))
        #expect(reader.metadata.frameHeight == (sideways ? 320 : 240))
        reader.configure(sampling: .everyFrame)
        let ours = try #require(try reader.next()).image
        let theirs = try Self.ffmpegFrame(turned, width: ours.width, height: ours.height)
        // Same picture as ffmpeg shows (small differences come from YUV→RGB rounding) ...
        let right = Self.meanAbsDiff(ours.pixels, theirs)
        #expect(right < 3, "mean abs diff \(right)")
        // ... and clearly not the same picture turned the other way.
        let wrong = ours.rotated(clockwise: 180)
        #expect(Self.meanAbsDiff(wrong.pixels, theirs) > 10 * max(right, 1))
    }

    @Test(arguments: ["png", "jpg", "bmp", "webp"])
    func stillImageIsOneFrameAtZero(ext: String) throws {
        let path = TestSupport.scratch().appendingPathComponent("still.\(ext)").path
        try TestSupport.ffmpeg(["-i", TestSupport.opencvData("messi5.jpg"), "-frames:v", "1", path])
        let reader = try VideoReader(path: path)
        #expect(reader.isStillImage)
        #expect(reader.metadata.durationMillis == 0)
        #expect(reader.metadata.frameRate == nil)
        #expect(reader.metadata.frameWidth == 548 && reader.metadata.frameHeight == 342)
        reader.configure(sampling: .rate(5))
        let frame = try #require(try reader.next())
        #expect(frame.timestamp == 0)
        #expect(frame.image.width == 548)
        #expect(try reader.next() == nil)
    }

    @Test func pixelsMatchFFmpeg() throws {
        let reader = try VideoReader(path: Self.cfr)
        reader.configure(sampling: .everyFrame)
        let ours = try #require(try reader.next()).image
        #expect(ours.pixels == (try Self.ffmpegFrame(Self.cfr, width: 320, height: 240)))
        // The accurate conversion (full chroma interpolation) differs by about a level on average.
        let accurate = try Self.ffmpegFrame(Self.cfr, width: 320, height: 240, flags: Self.stillFlags)
        #expect(Self.meanAbsDiff(ours.pixels, accurate) < 3)
    }

    @Test func corruptPacketsInTheMiddleAreSkippedAndCounted() throws {
        let dir = TestSupport.scratch()
        let path = dir.appendingPathComponent("damaged.ts").path
        try TestSupport.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=320x240:rate=30", "-t", "4",
                                "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "15", path])
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        // Overwrite a stretch in the middle with garbage (MPEG-TS resynchronises after it).
        var state: UInt32 = 12345
        for i in (bytes.count / 2)..<(bytes.count / 2 + 20_000) {
            state = state &* 1_664_525 &+ 1_013_904_223
            bytes[i] = UInt8(truncatingIfNeeded: state >> 24)
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let reader = try VideoReader(path: path)
        reader.configure(sampling: .everyFrame)
        var n = 0
        while try reader.next() != nil { n += 1 }
        #expect(n > 60)
        #expect(n < 120 || reader.skippedPackets > 0)
    }

    /// Peak memory of `facescan detect` on a 40-second video against a 4-second one, each in its own
    /// process (GNU time's maximum resident set), so that other tests running meanwhile do not count.
    @Test func memoryStaysFlatOverALongVideo() throws {
        guard !TestSupport.underSanitizer else { print("skipped under a sanitizer: its own memory use is what it measures"); return }
        let dir = TestSupport.scratch()
        var peaks: [Int] = []
        for seconds in [4, 40] {
            let path = dir.appendingPathComponent("v\(seconds).mp4").path
            try TestSupport.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=640x360:rate=30", "-t", String(seconds),
                                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", path])
            let r = try TestSupport.run(["/usr/bin/time", "-f", "peak %M", TestSupport.executable, "--quiet", "detect", "--sample-rate", "1", path])
            #expect(r.status == 0, "\(r.stderr)")
            let kb = r.stderr.split(separator: "\n").last { $0.hasPrefix("peak ") }.flatMap { Int($0.dropFirst(5)) } ?? -1
            peaks.append(kb * 1024)
        }
        // Every one of the 1200 frames is decoded: 1080 more frames of 640x360 RGB would be 750 MB if kept.
        #expect(peaks[0] > 0 && peaks[1] - peaks[0] < 40_000_000, "peak resident memory \(peaks)")
    }
}
