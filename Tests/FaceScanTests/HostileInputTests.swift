import Foundation
import Testing
@testable import FaceScan

/// A corpus of hostile inputs made at test time from the samples: truncated and bit-flipped media,
/// wrong containers, odd codecs and sizes, every option's edge values, damaged job stores and model
/// files. Each case must end within its time bound with either a plausible result (exit 0, one JSON
/// document on stdout) or exactly one JSON error on stderr with its documented exit status and nothing
/// on stdout: never a crash, a hang or a half-written answer.
@Suite struct HostileInputTests {
    typealias Home = JobCommandTests.Home

    static let dir = TestSupport.scratch("hostile")
    static let sample = JobCommandTests.sample("several-faces.mp4")

    /// The media files of the corpus, made once: name → path.
    static let media: [String: String] = {
        var out: [String: String] = [:]
        let bytes = [UInt8](FileManager.default.contents(atPath: sample)!)
        func put(_ name: String, _ data: [UInt8]) {
            let path = dir.appendingPathComponent(name).path
            FileManager.default.createFile(atPath: path, contents: Data(data))
            out[name] = path
        }
        for (k, n) in [1, 100, 1000, bytes.count / 10, bytes.count / 4, bytes.count / 2, bytes.count * 3 / 4, bytes.count - 1].enumerated() {
            put("truncated-\(k).mp4", Array(bytes.prefix(n)))
        }
        var rng = SplitMix(seed: 7)
        for k in 0..<10 {
            var flipped = bytes
            for _ in 0..<(k < 5 ? 20 : 400) { let i = Int(rng.next() % UInt64(bytes.count)); flipped[i] ^= UInt8(1 << (rng.next() % 8)) }
            put("flipped-\(k).mp4", flipped)
        }
        put("random.mp4", (0..<50_000).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
        put("text.mp4", Array("this is not a video\n".utf8))
        put("json.png", Array("{\"Faces\": []}".utf8))
        put("zeros.mov", [UInt8](repeating: 0, count: 100_000))
        put("elf.mp4", [UInt8](FileManager.default.contents(atPath: "/bin/true")!))
        put("mp4-named.png", bytes)
        let make: [(String, [String])] = [
            ("tiny-1x1.mp4", ["-f", "lavfi", "-i", "testsrc=size=1x1:rate=5", "-t", "1", "-c:v", "libx264", "-pix_fmt", "yuv444p"]),
            ("tiny-2x2.png", ["-f", "lavfi", "-i", "testsrc=size=2x2", "-frames:v", "1"]),
            ("tall-16x4096.mp4", ["-f", "lavfi", "-i", "testsrc=size=16x4096:rate=2", "-t", "1", "-c:v", "libx264", "-pix_fmt", "yuv420p"]),
            ("wide-17000x16.png", ["-f", "lavfi", "-i", "color=size=17000x16", "-frames:v", "1"]),
            ("one-frame.mp4", ["-i", sample, "-frames:v", "1", "-c:v", "libx264"]),
            ("mjpeg.avi", ["-i", sample, "-t", "1", "-c:v", "mjpeg"]),
            ("vp9.webm", ["-i", sample, "-t", "1", "-c:v", "libvpx-vp9", "-deadline", "realtime"]),
            ("anim.gif", ["-i", sample, "-t", "1", "-vf", "fps=5"]),
            ("gray.png", ["-i", sample, "-frames:v", "1", "-pix_fmt", "gray"]),
            ("rgba.png", ["-i", sample, "-frames:v", "1", "-pix_fmt", "rgba"]),
            ("deep.png", ["-i", sample, "-frames:v", "1", "-pix_fmt", "rgb48be"]),
            ("image.bmp", ["-i", sample, "-frames:v", "1"]),
            ("image.webp", ["-i", sample, "-frames:v", "1"]),
            ("yuv444.mkv", ["-i", sample, "-t", "1", "-c:v", "libx264", "-pix_fmt", "yuv444p"]),
            ("tone.m4a", ["-f", "lavfi", "-i", "sine=frequency=440", "-t", "1"]),
            ("no-duration.ts", ["-i", sample, "-t", "1", "-c:v", "mpeg2video"]),
        ]
        for (name, args) in make {
            let path = dir.appendingPathComponent(name).path
            if (try? TestSupport.ffmpeg(args + [path])) != nil { out[name] = path }
        }
        return out
    }()

    struct SplitMix { var state: UInt64; init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 { state &+= 0x9E3779B97F4A7C15; var z = state
            z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9; z = (z ^ (z >> 27)) &* 0x94D049BB133111EB; return z ^ (z >> 31) } }

    /// Runs facescan and checks the contract; returns the result.
    @discardableResult
    static func check(_ args: [String], home: Home = Home("hostile"), seconds: Double = 60, allowed: Set<Int32>? = nil) throws -> TestSupport.Result {
        let t0 = Date()
        let r = try home.run(args)
        let elapsed = Date().timeIntervalSince(t0)
        #expect(elapsed < seconds, "\(args): took \(elapsed) s")
        let names = Dictionary(uniqueKeysWithValues: APIError.Kind.allCases.map { ($0.exitCode, $0.rawValue) })
        if r.status == 0 {
            #expect((try? parseJSON(r.stdout)) != nil || r.stdout.split(separator: "\n").allSatisfy { (try? parseJSON(String($0))) != nil },
                    "\(args): stdout is not JSON: \(r.stdout.prefix(200))")
        } else {
            #expect(names[r.status] != nil, "\(args): undocumented exit status \(r.status): \(r.stderr.prefix(300))")
            #expect(r.stdout.isEmpty, "\(args): stdout must be empty on failure")
            let lines = r.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(args): one line on stderr, got \(r.stderr.prefix(300))")
            let err = try? parseJSON(String(lines.first ?? ""))
            #expect(err?["__type"] as? String == names[r.status] && !((err?["Message"] as? String) ?? "").isEmpty, "\(args): \(r.stderr)")
        }
        if let allowed { #expect(allowed.contains(r.status), "\(args): exit \(r.status), expected one of \(allowed): \(r.stderr)") }
        return r
    }

    static var mediaNames: [String] { media.keys.sorted() }

    @Test(arguments: ["truncated-0.mp4", "truncated-1.mp4", "truncated-2.mp4", "truncated-3.mp4", "truncated-4.mp4", "truncated-5.mp4",
                      "truncated-6.mp4", "truncated-7.mp4", "flipped-0.mp4", "flipped-1.mp4", "flipped-2.mp4", "flipped-3.mp4",
                      "flipped-4.mp4", "flipped-5.mp4", "flipped-6.mp4", "flipped-7.mp4", "flipped-8.mp4", "flipped-9.mp4",
                      "random.mp4", "text.mp4", "json.png", "zeros.mov", "elf.mp4", "mp4-named.png", "tiny-1x1.mp4", "tiny-2x2.png",
                      "tall-16x4096.mp4", "wide-17000x16.png", "one-frame.mp4", "mjpeg.avi", "vp9.webm", "anim.gif", "gray.png",
                      "rgba.png", "deep.png", "image.bmp", "image.webp", "yuv444.mkv", "tone.m4a", "no-duration.ts"])
    func media(name: String) throws {
        guard let path = Self.media[name] else {
            print("skipped: the system's ffmpeg could not make \(name)")
            return
        }
        let r = try Self.check(["detect", "--sample-rate", "2", path])
        if r.status == 0 { try TestSupport.shapeCheck("GetFaceDetection", r.stdout) }
        // Expected outcomes where they are certain.
        let expected: [String: Int32] = ["truncated-0.mp4": 5, "random.mp4": 5, "text.mp4": 5, "json.png": 5, "zeros.mov": 5,
                                         "elf.mp4": 5, "mp4-named.png": 0, "wide-17000x16.png": 6, "tone.m4a": 5, "gray.png": 0,
                                         "rgba.png": 0, "deep.png": 0, "image.bmp": 0, "image.webp": 0, "yuv444.mkv": 0, "anim.gif": 0]
        if let e = expected[name] { #expect(r.status == e, "\(name): exit \(r.status): \(r.stderr)") }
    }

    @Test(arguments: [
        ["--sample-rate", "0"], ["--sample-rate", "-1"], ["--sample-rate", "1001"], ["--sample-rate", "nan"], ["--sample-rate", ""],
        ["--sample-rate", "1e-300"], ["--sample-rate", "0.001"], ["--sample-rate", "all"], ["--sample-rate", "1000"],
        ["--max-results", "0"], ["--max-results", "-5"], ["--max-results", "99999999999999999999"], ["--max-results", "1"],
        ["--max-results", "1.5"], ["--min-confidence", "-1"], ["--min-confidence", "101"], ["--min-confidence", "100"],
        ["--min-confidence", "0"], ["--start", "21600"], ["--end", "0"], ["--start", "3", "--end", "1"], ["--start", "-0"],
        ["--face-attributes", "none"], ["--face-attributes", "ALL"], ["--output", "xml"], ["--start"], ["--bogus"], ["-x"],
        ["--start=1", "--start=2"], ["--", "--start"], ["--max-results", "--start"],
    ])
    func detectOptionEdges(options: [String]) throws {
        try Self.check(["detect"] + options + [Self.sample], allowed: [0, 2, 11])
    }

    @Test(arguments: [
        ["get-face-detection", "--job-id", "../../etc/passwd"], ["get-face-detection", "--job-id", String(repeating: "a", count: 65)],
        ["get-face-detection", "--job-id", ""], ["get-face-detection", "--job-id", "0123"], ["delete-job", "--job-id", "x y"],
        ["get-face-search", "--job-id", "abc", "--sort-by", "NAME"], ["get-face-detection", "--job-id", "abc", "--next-token", String(repeating: "A", count: 256)],
        ["start-face-detection", "--client-request-token", "bad token", Self.sample], ["start-face-detection", "--job-tag", "bad tag", Self.sample],
        ["start-face-detection", "--job-tag", String(repeating: "t", count: 1025), Self.sample],
        ["compare-faces", "--similarity-threshold", "101", Self.sample, Self.sample], ["search-faces-by-image", "--max-faces", "0", "--collection", "/tmp", Self.sample],
        ["search", "--collection", "", Self.sample], ["search", "--collection", "/dev/null", Self.sample], ["probe", "/dev/zero"], ["probe", "/"],
        ["models", "frobnicate"], ["help", "nothing"],
    ])
    func otherCommandEdges(args: [String]) throws {
        try Self.check(args, allowed: [2, 3, 5, 11])
    }

    /// Damaged job stores: every file of a finished job damaged in turn.
    @Test(arguments: ["job.json:empty", "job.json:garbage", "job.json:truncated", "items.idx:truncated", "items.idx:missing",
                      "items.jsonl:truncated", "items.jsonl:missing", "key:short", "lock:directory"])
    func damagedJobFiles(damage: String) throws {
        let home = Home("damaged-\(damage)")
        let id = try home.start(["--sample-rate", "2", Self.sample])
        _ = try home.waitForEnd(id)
        let parts = damage.split(separator: ":").map(String.init)
        let path = parts[0] == "key" ? home.path + "/key" : home.path + "/jobs/\(id)/" + parts[0]
        let data = FileManager.default.contents(atPath: path) ?? Data()
        switch parts[1] {
        case "empty": try Data().write(to: URL(fileURLWithPath: path))
        case "garbage": try Data((0..<300).map { UInt8($0 % 251) }).write(to: URL(fileURLWithPath: path))
        case "truncated": try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path))
        case "missing": unlink(path)
        case "short": try data.prefix(5).write(to: URL(fileURLWithPath: path))
        default: unlink(path); mkdir(path, 0o700)
        }
        for args in [["get-face-detection", "--job-id", id, "--max-results", "3"], ["get-face-detection", "--job-id", id], ["list-jobs"]] {
            try Self.check(args, home: home, allowed: [0, 1, 8])
        }
        try Self.check(["delete-job", "--job-id", id], home: home, allowed: [0, 1])
    }

    /// Damaged model files: detected (the SHA-256), reported, never used.
    @Test(arguments: ["truncated", "empty", "flipped", "directory"])
    func damagedModelFiles(damage: String) throws {
        let models = Self.dir.appendingPathComponent("models-\(damage)")
        try? FileManager.default.removeItem(at: models)
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        for m in ModelFile.all { try FileManager.default.copyItem(at: ModelStore().url(of: m), to: models.appendingPathComponent(m.name)) }
        let target = models.appendingPathComponent(ModelFile.faceLandmark.name).path
        var bytes = [UInt8](FileManager.default.contents(atPath: target)!)
        switch damage {
        case "truncated": bytes = Array(bytes.prefix(bytes.count / 3))
        case "empty": bytes = []
        case "flipped": bytes[bytes.count / 2] ^= 0x40
        default: break
        }
        if damage == "directory" { unlink(target); mkdir(target, 0o700) } else { try Data(bytes).write(to: URL(fileURLWithPath: target)) }
        var home = Home("models-\(damage)")
        home.extra["FACESCAN_MODELS"] = models.path
        let r = try Self.check(["detect", Self.sample], home: home, allowed: [3])
        #expect(r.stderr.contains(ModelFile.faceLandmark.name))
    }
}
