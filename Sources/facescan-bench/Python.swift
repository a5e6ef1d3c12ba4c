import Foundation

/// Runs `python3 ARGUMENTS` (stderr discarded) and returns its exit status and stdout, or nil when
/// python3 cannot be started. The benchmarks run the reference runtimes (LiteRT, dlib,
/// face_recognition) this way, in the same run as facescan.
func python(_ arguments: [String]) -> (status: Int32, output: String)? {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3"] + arguments
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = FileHandle.nullDevice
    do { try p.run() } catch { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}
