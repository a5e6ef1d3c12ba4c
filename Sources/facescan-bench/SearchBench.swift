import Foundation
import FaceScan

/// `search` on ../shared/data's short_hamilton_clip.mp4 with a collection of lin-manuel-miranda.png and
/// alex-lacamoire.png, against the face_recognition library on the same frames (5 per second, through
/// scripts/face_recognition_search.py) in the same run: frames matched per person, seconds, ratio.
/// Both timings include loading models and encoding the collection (ours with an empty cache).
func runSearchBenchmarks() {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let data = root.deletingLastPathComponent().appendingPathComponent("shared/data/face_recognition_examples")
    let video = data.appendingPathComponent("short_hamilton_clip.mp4").path
    let known = ["lin-manuel-miranda.png", "alex-lacamoire.png"].map { data.appendingPathComponent($0).path }
    guard FileManager.default.fileExists(atPath: video) else {
        print("\n(search benchmark: \(data.path) is absent; skipped)")
        return
    }
    let fps = 5.0
    print("\nsearch short_hamilton_clip.mp4 at \(fps) frames/s, collection: lin-manuel-miranda, alex-lacamoire")
    do {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("facescan-bench-\(getpid())")
        let collectionDir = dir.appendingPathComponent("known")
        try FileManager.default.createDirectory(at: collectionDir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for k in known { try FileManager.default.copyItem(atPath: k, toPath: collectionDir.appendingPathComponent(URL(fileURLWithPath: k).lastPathComponent).path) }
        let t0 = DispatchTime.now().uptimeNanoseconds
        let pipeline = try FaceSearchPipeline()
        let collection = try FaceCollection(directory: collectionDir, analyzer: pipeline.analyzer, describer: pipeline.describer,
                                            cacheDirectory: dir.appendingPathComponent("cache"))
        var request = FaceSearchRequest(path: video, collection: collectionDir)
        request.sampling = .rate(fps)
        let result = try pipeline.run(request, collection: collection)
        let ours = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        var matched: [String: Set<Int64>] = [:]
        for p in result.persons { for m in p.faceMatches { matched[m.face.externalImageId ?? "", default: []].insert(p.timestamp) } }
        print(String(format: "  facescan:          %2d frames, matched %@, %.2f s", result.framesAnalysed,
                     matched.keys.sorted().map { "\($0) \(matched[$0]!.count)" }.joined(separator: ", "), ours))

        let script = root.appendingPathComponent("scripts/face_recognition_search.py").path
        guard let (status, output) = python([script, video, String(fps)] + known), status == 0,
              let line = try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any],
              let seconds = line["seconds"] as? Double else {
            print("  face_recognition:  not installed (pip install dlib-bin pillow numpy, then pip install --no-deps face_recognition face_recognition_models)")
            return
        }
        let m = (line["matched"] as? [String: Int] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print(String(format: "  face_recognition:  %2d frames (%d with a face), matched %@, %.2f s", line["frames"] as? Int ?? 0,
                     line["frames_with_face"] as? Int ?? 0, m, seconds))
        print(String(format: "  facescan is %.1f times faster", seconds / ours))
    } catch {
        print("  search benchmark failed: \(error)")
    }
}
