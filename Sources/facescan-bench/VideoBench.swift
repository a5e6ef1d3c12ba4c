import Foundation
import FaceScan

/// End-to-end `detect` on videos: frames per second, real-time factor and the ratio to the FFmpeg
/// decode-only time of the same file and sampling (the reference: what reading the video costs at
/// all), with DEFAULT and ALL attributes; plus the per-face cost of the face mesh and iris models.
///
/// Videos: SampleVideos/*.mp4 and, when present, ../shared/data's videos (real footage, not part of the
/// repository). `FACESCAN_BENCH_VIDEOS` (comma-separated paths) replaces the list; `FACESCAN_BENCH_REPEAT`
/// sets the runs per measurement (default 3, the median is reported).
func runVideoBenchmarks() {
    let env = ProcessInfo.processInfo.environment
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    var videos: [String]
    if let list = env["FACESCAN_BENCH_VIDEOS"] {
        videos = list.split(separator: ",").map(String.init)
    } else {
        let samples = root.appendingPathComponent("SampleVideos")
        videos = ((try? FileManager.default.contentsOfDirectory(atPath: samples.path)) ?? []).filter { $0.hasSuffix(".mp4") }.sorted()
            .map { samples.appendingPathComponent($0).path }
        let shared = root.deletingLastPathComponent().appendingPathComponent("shared/data")
        let extra = ["face_recognition_examples/short_hamilton_clip.mp4", "videos/talking_head_410.mp4", "videos/portrait_512_9s.mp4",
                     "videos/portrait_vertical_720x1280.mp4", "videos/signer_640x480.mkv"].map { shared.appendingPathComponent($0).path }
        let present = extra.filter { FileManager.default.fileExists(atPath: $0) }
        if present.isEmpty { print("(../shared/data is absent: benchmarking the sample videos only)") }
        videos += present
        // 1080p and 720p H.264 copies of the Hamilton clip (x264 preset fast, B-frames), made once.
        if let hamilton = present.first(where: { $0.hasSuffix("short_hamilton_clip.mp4") }) {
            videos += [1080, 720].compactMap { scaledCopy(hamilton, height: $0, root: root) }
        }
    }
    let repeats = Int(env["FACESCAN_BENCH_REPEAT"] ?? "") ?? 3
    let pipeline: FaceDetectionPipeline
    do { pipeline = try FaceDetectionPipeline() } catch { print("cannot load the models: \(error)"); return }

    print("\ndecode-only: every frame decoded (FFmpeg's full decode, the reference); sampled: only what 5 frames/s need")
    print("detect: faces followed by their mesh, the full detector every 2 s (the default); every: the full detector on every sampled frame;")
    print("faces: faces per frame of every-frame detection found again with tracking (IoU > 0.5), and faces tracking adds")
    print("video                              frames  decode-only s  sampled s  detect s  x real time  detect/decode  every s  every/decode  faces found  added   ALL s")
    for path in videos {
        do {
            let duration = Double(try VideoReader(path: path).metadata.durationMillis ?? 0) / 1000
            let decode = try median(repeats) { try decodeOnly(path, skip: false) }
            let sampledDecode = try median(repeats) { try decodeOnly(path, skip: true) }
            var frames = 0
            var tracked: [FaceDetection] = [], reference: [FaceDetection] = []
            let detect = try median(repeats) {
                let r = FaceDetectionRequest(path: path)
                let result = try pipeline.run(r)
                frames = result.framesAnalysed
                tracked = result.faces
            }
            let every = try median(repeats) {
                var r = FaceDetectionRequest(path: path)
                r.tracking = .everyFrame
                reference = try pipeline.run(r).faces
            }
            let all = try median(repeats) {
                var r = FaceDetectionRequest(path: path)
                r.faceAttributes = .all
                _ = try pipeline.run(r)
            }
            let found = matched(reference, tracked)
            let name = URL(fileURLWithPath: path).lastPathComponent
            print([name.padding(toLength: 34, withPad: " ", startingAt: 0), String(format: "%6d", frames),
                   String(format: "%14.3f", decode), String(format: "%10.3f", sampledDecode), String(format: "%9.3f", detect),
                   String(format: "%12.1f", duration / detect), String(format: "%14.2f", detect / decode),
                   String(format: "%8.3f", every), String(format: "%13.2f", every / decode),
                   String(format: "%6d/%-5d", found, reference.count), String(format: "%6d", tracked.count - found),
                   String(format: "%7.3f", all)].joined(separator: " "))
        } catch {
            print("\(path): \(error)")
        }
    }
    perFaceCost(root: root)
}

/// Decodes and converts the frames `detect` would analyse (default sampling), analysing nothing; with
/// `skip` off, every frame is decoded (the full decode-only time).
private func decodeOnly(_ path: String, skip: Bool) throws {
    let reader = try VideoReader(path: path)
    reader.skipsUnneededFrames = skip
    reader.configure(sampling: .default)
    while try reader.next() != nil {}
}

/// An H.264 copy of `source` scaled to `height` lines (x264 preset fast, its default B-frames), kept in
/// .build/bench-videos; nil when ffmpeg cannot make it.
private func scaledCopy(_ source: String, height: Int, root: URL) -> String? {
    let dir = root.appendingPathComponent(".build/bench-videos")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let out = dir.appendingPathComponent("hamilton-\(height)p.mp4").path
    if FileManager.default.fileExists(atPath: out) { return out }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["ffmpeg", "-loglevel", "error", "-y", "-i", source, "-vf", "scale=-2:\(height)", "-c:v", "libx264", "-preset", "fast",
                   "-c:a", "copy", out]
    guard (try? p.run()) != nil else { return nil }
    p.waitUntilExit()
    return p.terminationStatus == 0 ? out : nil
}

/// How many faces of `reference` have a face in `faces` at the same timestamp with IoU > 0.5 (each
/// matched once).
private func matched(_ reference: [FaceDetection], _ faces: [FaceDetection]) -> Int {
    var byTime: [Int64: [BoundingBox]] = [:]
    for f in faces { byTime[f.timestamp, default: []].append(f.face.boundingBox) }
    var count = 0
    for r in reference {
        guard var candidates = byTime[r.timestamp],
              let best = candidates.indices.max(by: { candidates[$0].iou(r.face.boundingBox) < candidates[$1].iou(r.face.boundingBox) }),
              candidates[best].iou(r.face.boundingBox) > 0.5 else { continue }
        candidates.remove(at: best)
        byTime[r.timestamp] = candidates
        count += 1
    }
    return count
}

private func median(_ n: Int, _ body: () throws -> Void) throws -> Double {
    var times: [Double] = []
    for _ in 0..<max(1, n) {
        let t0 = DispatchTime.now().uptimeNanoseconds
        try body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }
    return times.sorted()[times.count / 2]
}

/// Face mesh (two passes) + iris (two eyes) per face, timed directly on the faces of face-zoom.mp4
/// (one frame a second), against the detector's cost for one 640x360 frame.
private func perFaceCost(root: URL) {
    let video = root.appendingPathComponent("SampleVideos/face-zoom.mp4").path
    do {
        let reader = try VideoReader(path: video)
        reader.configure(sampling: .rate(1))
        var frames: [RGBImage] = []
        while let f = try reader.next() { frames.append(f.image) }
        let store = ModelStore()
        let detector = try FaceDetector(store: store, threads: 1)
        let mesh = try FaceMesh(store: store)
        let iris = try IrisModel(store: store)
        var faces: [(RGBImage, Detection)] = []
        for f in frames { for d in try detector.detect(f) { faces.append((f, d)) } }
        let runs = 20
        let meshAndIris = try median(5) {
            for _ in 0..<runs {
                for (image, d) in faces {
                    let first = try mesh.run(image, roi: FaceMesh.roi(for: d))
                    let second = try mesh.run(image, roi: FaceMesh.roi(for: first.points))
                    _ = try iris.run(image, mesh: second.points)
                }
            }
        }
        let detect = try median(5) { for _ in 0..<runs { for f in frames { _ = try detector.detect(f) } } }
        print(String(format: "\nper face (1 thread, %d faces of face-zoom.mp4): crops + face mesh x2 + iris x2 %.2f ms; detector per 640x360 frame (3 full-range tiles + short range) %.2f ms",
                     faces.count, meshAndIris / Double(runs * max(1, faces.count)) * 1000, detect / Double(runs * frames.count) * 1000))
    } catch {
        print("per-face cost: \(error)")
    }
}
