import Foundation
import FaceScan

/// Times the face descriptor per face on facescan's engine and, in the same run, dlib's own (dlib-bin,
/// through `scripts/dlib_bench.py`), and prints the ratio ours / dlib's:
///
/// - **descriptor**: an aligned 150×150 chip → 128-D (`FaceDescriptorExtractor.descriptor(chip:)`; dlib's
///   `compute_face_descriptor(chip)`), on the seeded synthetic chip of `scripts/make_dlib_goldens.py`;
/// - **pipeline**: rectangle → 5 landmarks → chip → descriptor on scikit-image's astronaut.png (when
///   `scripts/fetch-test-photos.sh` has fetched it), with the goldens' rectangle.
///
/// facescan's times are medians (and minima) over `FACESCAN_BENCH_DESCRIPTOR_RUNS` runs (default 100) after
/// 10 warm-up runs, at 1 and 2 threads; dlib's are medians over 20 runs (its CPU network runs on one
/// thread). `FACESCAN_BENCH_DLIB=0` skips dlib; without `import dlib` only facescan's times are printed.
func runDescriptorBenchmarks(modelsDirectory: URL) {
    let env = ProcessInfo.processInfo.environment
    let runs = Int(env["FACESCAN_BENCH_DESCRIPTOR_RUNS"] ?? "") ?? 100
    let extractor: FaceDescriptorExtractor
    do { extractor = try FaceDescriptorExtractor(store: ModelStore(directory: modelsDirectory)) } catch {
        print("face descriptor: \(error)")
        return
    }
    let chip = RGBImage(width: 150, height: 150, pixels: syntheticChip())
    let photo = benchPhoto()
    let rect = DlibRectangle(left: 179, top: 83, right: 266, bottom: 170)
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/dlib_bench.py")
    var dlib: [String: Any]? = nil
    if env["FACESCAN_BENCH_DLIB"] != "0" {
        dlib = dlibTimes(script: script, models: modelsDirectory)
        if dlib == nil { print("dlib (python3 -c 'import dlib', dlib-bin) is not available: reporting facescan times only") }
    }
    print("face descriptor, per face                 threads  facescan ms     dlib ms   ours/dlib   (facescan min ms)")
    for threads in [1, 2] {
        extractor.threads = threads
        var rows: [(String, (Double, Double), Double?)] = []
        rows.append(("chip → 128-D descriptor", time(runs) { _ = try? extractor.descriptor(chip: chip) },
                     dlib?["descriptor_median_ms"] as? Double))
        if let photo {
            rows.append(("landmarks + chip + descriptor", time(runs) { _ = try? extractor.descriptor(for: photo, rectangle: rect) },
                         dlib?["pipeline_median_ms"] as? Double))
        }
        for (name, ours, theirs) in rows {
            let cols = [
                name.padding(toLength: 40, withPad: " ", startingAt: 0), String(format: "%8d", threads),
                String(format: "%12.3f", ours.0),
                theirs.map { String(format: "%11.3f", $0) } ?? "          -",
                theirs.map { String(format: "%11.3f", ours.0 / $0) } ?? "          -",
                String(format: "   (%.3f)", ours.1),
            ]
            print(cols.joined(separator: " "))
        }
    }
}

/// Median and minimum milliseconds of `body` over `runs` runs after 10 warm-up runs.
private func time(_ runs: Int, _ body: () -> Void) -> (Double, Double) {
    for _ in 0..<10 { body() }
    var times: [Double] = []
    for _ in 0..<max(runs, 1) {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
    }
    times.sort()
    return (times[times.count / 2], times[0])
}

/// The synthetic chip of scripts/make_dlib_goldens.py: xorshift32 (13, 17, 5) from 0x2545F491, each byte
/// the state's top 8 bits.
private func syntheticChip() -> [UInt8] {
    var x: UInt32 = 0x2545_F491
    return (0..<(150 * 150 * 3)).map { _ in
        x ^= x << 13
        x ^= x >> 17
        x ^= x << 5
        return UInt8(x >> 24)
    }
}

/// scikit-image's astronaut.png from the test-photo cache, or nil.
private func benchPhoto() -> RGBImage? {
    let env = ProcessInfo.processInfo.environment
    let dir = env["FACESCAN_TEST_PHOTOS"] ?? ((env["XDG_CACHE_HOME"] ?? (NSHomeDirectory() + "/.cache")) + "/facescan/test-photos")
    guard let reader = try? VideoReader(path: dir + "/astronaut.png") else { return nil }
    reader.configure(sampling: .everyFrame)
    return (try? reader.next())?.image
}

/// dlib's times from scripts/dlib_bench.py (its JSON line), or nil when dlib cannot be run.
private func dlibTimes(script: URL, models: URL) -> [String: Any]? {
    guard let (status, output) = python([script.path, models.path]), status == 0,
          let line = output.split(separator: "\n").last(where: { $0.hasPrefix("{") }) else { return nil }
    return try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
}
