import Foundation
import Testing
@testable import FaceScan

/// Bad input through the built executable: one JSON error object on stderr, nothing on stdout, the
/// documented exit status.
@Suite struct ErrorContractTests {
    static let dir = TestSupport.scratch("errors")

    static func file(_ name: String, _ bytes: [UInt8]) -> String {
        let path = dir.appendingPathComponent(name).path
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    static func expectError(_ args: [String], _ kind: APIError.Kind, mentioning fragment: String,
                            environment: [String: String]? = nil, asNobody: Bool = false) throws {
        var argv = args
        if asNobody { argv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", TestSupport.executable] + args }
        let r = asNobody ? try TestSupport.run(argv, environment: environment) : try TestSupport.facescan(args, environment: environment)
        #expect(r.status == kind.exitCode, "\(args): exit \(r.status), stderr \(r.stderr)")
        #expect(r.stdout.isEmpty, "\(args): stdout must be empty, got \(r.stdout.prefix(200))")
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(args): exactly one line on stderr, got \(r.stderr)")
        let obj = try parseJSON(String(lines.first ?? ""))
        #expect(obj.keys.sorted() == ["Message", "__type"])
        #expect(obj["__type"] as? String == kind.rawValue)
        let message = obj["Message"] as? String ?? ""
        #expect(message.contains(fragment), "\(args): message \(message)")
    }

    @Test func missingFile() throws {
        try Self.expectError(["probe", "/nonexistent/video.mp4"], .invalidS3Object, mentioning: "/nonexistent/video.mp4 does not exist")
    }

    @Test func emptyFile() throws {
        let path = Self.file("empty.mp4", [])
        try Self.expectError(["probe", path], .invalidImageFormat, mentioning: "\(path) is empty")
    }

    @Test func textFile() throws {
        let path = Self.file("notes.mp4", Array("these are not the frames you are looking for\n".utf8))
        try Self.expectError(["probe", path], .invalidImageFormat, mentioning: path)
    }

    @Test func truncatedMP4() throws {
        let full = Self.dir.appendingPathComponent("full.mp4").path
        // moov at the end (the default): cutting the file loses the index.
        try TestSupport.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=320x240:rate=30", "-t", "2", "-c:v", "libx264", "-pix_fmt", "yuv420p", full])
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: full)))
        let path = Self.file("truncated.mp4", Array(bytes.prefix(bytes.count / 2)))
        try Self.expectError(["probe", path], .invalidImageFormat, mentioning: path)
    }

    @Test func directory() throws {
        try Self.expectError(["probe", Self.dir.path], .invalidParameter, mentioning: "is a directory")
    }

    @Test func unreadableFile() throws {
        let path = Self.file("secret.mp4", [1, 2, 3])
        chmod(path, 0)
        // root reads anything: drop to nobody for this check (setpriv from util-linux).
        let asNobody = geteuid() == 0
        if asNobody {
            chmod(Self.dir.path, 0o755)
            chmod(Self.dir.deletingLastPathComponent().path, 0o755)
        }
        try Self.expectError(["probe", path], .invalidS3Object, mentioning: path, asNobody: asNobody)
    }

    @Test func audioOnlyFile() throws {
        let path = Self.dir.appendingPathComponent("tone.m4a").path
        try TestSupport.ffmpeg(["-f", "lavfi", "-i", "sine=frequency=440:duration=1", path])
        try Self.expectError(["probe", path], .invalidImageFormat, mentioning: "no video stream")
    }

    @Test func unknownOption() throws {
        try Self.expectError(["probe", "--frobnicate", "x.mp4"], .invalidParameter, mentioning: "unknown option --frobnicate")
    }

    @Test func unknownCommand() throws {
        try Self.expectError(["prob", "x.mp4"], .invalidParameter, mentioning: "did you mean probe?")
    }

    @Test func missingModelSaysHowToFix() throws {
        let store = ModelStore(directory: Self.dir.appendingPathComponent("no-models"))
        #expect(throws: APIError.self) { try store.load(.faceLandmark) }
        do { _ = try store.load(.faceLandmark) } catch let e as APIError {
            #expect(e.kind == .resourceNotFound)
            #expect(e.message.contains("facescan models fetch"))
        }
    }

    @Test func corruptModelIsDetected() throws {
        let dir = Self.dir.appendingPathComponent("bad-models")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: dir.appendingPathComponent(ModelFile.faceLandmark.name).path,
                                       contents: Data(repeating: 7, count: ModelFile.faceLandmark.size))
        let store = ModelStore(directory: dir)
        #expect(store.status(of: .faceLandmark) == .corrupt)
        #expect(store.status(of: .irisLandmark) == .missing)
        do { _ = try store.load(.faceLandmark); Issue.record("a corrupt model loaded") } catch let e as APIError {
            #expect(e.message.contains("corrupt") && e.message.contains("facescan models fetch"))
        }
        let r = try TestSupport.facescan(["models"], environment: ["FACESCAN_MODELS": dir.path, "PATH": "/usr/bin:/bin"])
        #expect(r.status == 0)
        let listing = try parseJSON(r.stdout)
        let models = listing["Models"] as? [[String: Any]] ?? []
        #expect(models.first { $0["Name"] as? String == "face_landmark.tflite" }?["Status"] as? String == "corrupt")
    }

    @Test func aModelChangedAfterVerificationIsVerifiedAgain() throws {
        let dir = Self.dir.appendingPathComponent("stamped-models")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let real = ModelStore().url(of: .irisLandmark)
        let copy = dir.appendingPathComponent(ModelFile.irisLandmark.name)
        try FileManager.default.copyItem(at: real, to: copy)
        let store = ModelStore(directory: dir)
        #expect(throws: Never.self) { _ = try store.load(.irisLandmark) }
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(".verified").path))
        // Damage the file in place (same inode and size; the modification time moves on).
        usleep(10_000)
        let handle = try FileHandle(forWritingTo: copy)
        try handle.seek(toOffset: 1000)
        handle.write(Data(repeating: 0xAB, count: 64))
        try handle.close()
        do { _ = try store.load(.irisLandmark); Issue.record("a damaged model loaded") } catch let e as APIError {
            #expect(e.message.contains("corrupt"))
        }
    }

    @Test func probePrintsMetadataThatPassesTheShapeCheck() throws {
        let path = Self.dir.appendingPathComponent("probe.mp4").path
        try TestSupport.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "1", "-c:v", "libx264", "-pix_fmt", "yuv420p", path])
        let r = try TestSupport.facescan(["probe", path])
        #expect(r.status == 0 && r.stderr.isEmpty)
        let meta = try parseJSON(r.stdout)["VideoMetadata"] as? [String: Any]
        #expect(meta?["FrameRate"] as? Double == 25)
        #expect(meta?["Codec"] as? String == "h264")
        try TestSupport.shapeCheck("GetFaceDetection", r.stdout)
    }

    @Test func helpAndVersionGoToStdout() throws {
        let help = try TestSupport.facescan(["--help"])
        #expect(help.status == 0 && help.stderr.isEmpty && help.stdout.contains("COMMANDS:"))
        for c in ["probe", "models"] { #expect(help.stdout.contains("  \(c) ")) }
        let version = try TestSupport.facescan(["--version"])
        #expect(version.stdout == "facescan \(FaceScanVersion.string)\n")
    }
}

/// Progress on stderr only when it is a terminal, never with --quiet (a pseudo-terminal from
/// util-linux's `script` stands in for one).
@Suite struct ProgressTests {
    static func underTerminal(_ args: [String]) throws -> String {
        let command = ([TestSupport.executable] + args).map { "'" + $0 + "'" }.joined(separator: " ") + " >/dev/null"
        let log = TestSupport.scratch().appendingPathComponent("tty.log").path
        let r = try TestSupport.run(["script", "-qefc", command, log])
        #expect(r.status == 0, "\(r.stderr)")
        return (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
    }

    @Test func progressShowsOnATerminalOnly() throws {
        let sample = TestSupport.repoRoot.appendingPathComponent("SampleVideos/face-zoom.mp4").path
        let shown = try Self.underTerminal(["detect", "--sample-rate", "all", "--end", "2", sample])
        #expect(shown.contains("frames") && shown.contains("real time"), "terminal output: \(shown.prefix(300))")
        let quiet = try Self.underTerminal(["--quiet", "detect", "--sample-rate", "all", "--end", "2", sample])
        #expect(!quiet.contains("frames/s"))
        // Not a terminal: nothing on stderr.
        let piped = try TestSupport.facescan(["detect", "--sample-rate", "all", "--end", "2", sample])
        #expect(piped.stderr.isEmpty)
    }
}
