import Foundation
import Testing

/// Helpers shared by the tests: a scratch directory, external tools, the built executable.
enum TestSupport {
    /// The repository root (tests find fixtures relative to this file).
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// ../shared next to the repository, when present (real third-party data; never required).
    static let shared = repoRoot.deletingLastPathComponent().appendingPathComponent("shared")

    /// A fresh directory under the system's temporary directory, unique per call.
    static func scratch(_ name: String = #function) -> URL {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        let url = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("facescan-tests-\(getpid())")
            .appendingPathComponent(safe + "-" + String(UUID().uuidString.prefix(8)))
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs a program to completion.
    @discardableResult
    static func run(_ argv: [String], environment: [String: String]? = nil, stdin: Data? = nil) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = argv
        if var environment {
            // A sanitizer build's settings reach the child whatever environment a test gives it.
            for key in ["ASAN_OPTIONS", "TSAN_OPTIONS", "UBSAN_OPTIONS"] where environment[key] == nil {
                environment[key] = ProcessInfo.processInfo.environment[key]
            }
            p.environment = environment
        }
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try? input.fileHandleForWriting.close()
        // Read both pipes at once so that neither fills up and blocks the child.
        let errBox = DataBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errBox.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errBox.data, as: UTF8.self))
    }

    final class DataBox: @unchecked Sendable { var data = Data() }

    /// The facescan executable built beside the test bundle (`swift build` puts both in one folder),
    /// or $FACESCAN_BIN.
    static var executable: String {
        if let bin = ProcessInfo.processInfo.environment["FACESCAN_BIN"] { return bin }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("facescan").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        for config in ["release", "debug"] {
            let candidate = repoRoot.appendingPathComponent(".build/\(config)/facescan").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "facescan"
    }

    /// True in a build with AddressSanitizer or ThreadSanitizer (`make sanitize`), where memory and
    /// time figures mean nothing.
    static var underSanitizer: Bool {
        let env = ProcessInfo.processInfo.environment
        return env["ASAN_OPTIONS"] != nil || env["TSAN_OPTIONS"] != nil
    }

    /// Runs the built facescan.
    static func facescan(_ args: [String], environment: [String: String]? = nil) throws -> Result {
        try run([executable] + args, environment: environment)
    }

    /// Runs ffmpeg quietly; the tests make their own videos with it.
    static func ffmpeg(_ args: [String]) throws {
        let r = try run(["ffmpeg", "-nostdin", "-v", "error", "-y"] + args)
        if r.status != 0 { throw TestFailure("ffmpeg \(args.joined(separator: " ")) failed: \(r.stderr)") }
    }

    /// ffprobe's JSON for a file.
    static func ffprobe(_ path: String, _ args: [String]) throws -> [String: Any] {
        let r = try run(["ffprobe", "-v", "error", "-of", "json"] + args + [path])
        guard r.status == 0, let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] else {
            throw TestFailure("ffprobe failed on \(path): \(r.stderr)")
        }
        return obj
    }

    /// The project's shape checker, scripts/rekognition_shape_check.py (botocore's service model, which
    /// `make test` installs).
    static let shapeChecker = repoRoot.appendingPathComponent("scripts/rekognition_shape_check.py").path

    /// Checks a response document against the operation's output shape.
    static func shapeCheck(_ operation: String, _ json: String) throws {
        let file = scratch().appendingPathComponent("doc.json")
        try json.write(to: file, atomically: true, encoding: .utf8)
        let r = try run(["python3", shapeChecker, operation, file.path])
        #expect(r.status == 0, "shape check \(operation): \(r.stdout) \(r.stderr)")
    }

    /// Checks a request document against the operation's input shape.
    static func requestCheck(_ operation: String, _ request: [String: Any]) throws {
        let file = scratch().appendingPathComponent("request.json")
        try JSONSerialization.data(withJSONObject: request).write(to: file)
        let r = try run(["python3", shapeChecker, "--request", operation, file.path])
        #expect(r.status == 0, "request check \(operation): \(r.stdout) \(r.stderr)")
    }

    /// A file from Debian's opencv-doc package (installed by `make test`).
    static func opencvData(_ name: String) -> String { "/usr/share/doc/opencv-doc/examples/data/" + name }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Parses a JSON object printed by facescan.
func parseJSON(_ text: String) throws -> [String: Any] {
    guard let obj = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
        throw TestFailure("not a JSON object: \(text.prefix(200))")
    }
    return obj
}

extension TestSupport {
    /// Results of commands run on several threads at once.
    final class Results: @unchecked Sendable {
        private var items: [Result?]
        private let lock = NSLock()
        init(count: Int) { items = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ r: Result?) { lock.lock(); items[i] = r; lock.unlock() }
        func get(_ i: Int) -> Result? { lock.lock(); defer { lock.unlock() }; return items[i] }
    }
}
