import Foundation
import FaceScan

/// Times the five TFLite face models on facescan's engine at 1 and 2 threads (median of many runs after
/// a warm-up) and, side by side, LiteRT (XNNPACK) on the same model, threads and input through
/// `scripts/litert_bench.py`; prints one line per model and thread count with the ratio ours / LiteRT.
/// If `ai_edge_litert` cannot be imported, only facescan's times are reported.
///
/// Environment: `FACESCAN_BENCH_MODELS` (comma-separated file names) limits the models,
/// `FACESCAN_BENCH_RUNS` sets the timed runs (default 300), `FACESCAN_BENCH_THREADS` the thread counts
/// (default "1,2"), `FACESCAN_BENCH_LITERT=0` skips LiteRT.
func runModelBenchmarks(modelsDirectory: URL) {
    let env = ProcessInfo.processInfo.environment
    let models = env["FACESCAN_BENCH_MODELS"].map { $0.split(separator: ",").map(String.init) } ?? [
        "face_detection_short_range.tflite", "face_detection_full_range.tflite",
        "face_detection_full_range_sparse.tflite", "face_landmark.tflite", "iris_landmark.tflite",
        "emotion_model_quantized.tflite",
    ]
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/litert_bench.py")
    let runs = Int(env["FACESCAN_BENCH_RUNS"] ?? "") ?? 300
    let threadCounts = env["FACESCAN_BENCH_THREADS"].map { $0.split(separator: ",").compactMap { Int($0) } } ?? [1, 2]
    let liteRT = env["FACESCAN_BENCH_LITERT"] != "0" && liteRTAvailable()
    if !liteRT && env["FACESCAN_BENCH_LITERT"] != "0" {
        print("LiteRT (python3 -c 'import ai_edge_litert') is not installed: reporting facescan times only")
    }
    print("model                                    threads  facescan ms   LiteRT ms   ours/LiteRT   (facescan min ms)")
    for name in models {
        let url = modelsDirectory.appendingPathComponent(name)
        for threads in threadCounts {
            let ours: Double, best: Double
            do {
                (ours, best) = try medianMilliseconds(model: url, threads: threads, runs: runs)
            } catch {
                print("\(name): \(error)")
                break
            }
            let theirs = liteRT ? liteRTMedian(script: script, model: url, threads: threads, runs: runs) : nil
            let cols = [
                name.padding(toLength: 40, withPad: " ", startingAt: 0), String(format: "%7d", threads),
                String(format: "%12.3f", ours),
                theirs.map { String(format: "%11.3f", $0) } ?? "          -",
                theirs.map { String(format: "%13.2f", ours / $0) } ?? "            -",
                String(format: "   (%.3f)", best),
            ]
            print(cols.joined(separator: " "))
        }
    }
}

/// Median and minimum wall time of `NeuralNetwork.run` in milliseconds, after 20 warm-up runs.
private func medianMilliseconds(model: URL, threads: Int, runs: Int) throws -> (median: Double, min: Double) {
    let net = try NeuralNetwork(contentsOf: model, threads: threads)
    let input = benchmarkInput(count: net.inputShape.reduce(1, *))
    return try input.withUnsafeBufferPointer { buf in
        for _ in 0..<20 { _ = try net.run(buf) }
        var times: [Double] = []
        times.reserveCapacity(runs)
        for _ in 0..<runs {
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = try net.run(buf)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        let sorted = times.sorted()
        return (sorted[sorted.count / 2], sorted[0])
    }
}

/// The xorshift32 noise of scripts/make_goldens.py (seed 0x2545F491), so both engines see the same input.
private func benchmarkInput(count: Int) -> [Float] {
    var x: UInt32 = 0x2545_F491
    return (0..<count).map { _ in
        x ^= x << 13
        x ^= x >> 17
        x ^= x << 5
        return Float(x >> 8) * 0x1p-23 - 1
    }
}

private func liteRTAvailable() -> Bool {
    python(["-c", "import ai_edge_litert.interpreter"])?.status == 0
}

private func liteRTMedian(script: URL, model: URL, threads: Int, runs: Int) -> Double? {
    guard let (status, out) = python([script.path, model.path, String(threads), String(runs)]), status == 0,
          let line = out.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
          let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
    return json["median_ms"] as? Double
}
