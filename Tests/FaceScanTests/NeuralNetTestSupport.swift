import Foundation
import Testing
@testable import FaceScan

/// Shared helpers of the NeuralNet tests: where models and goldens are, the deterministic input
/// generator of `scripts/make_goldens.py`, and tolerant comparisons.
enum NeuralNetTestSupport {
    /// `$FACESCAN_MODELS`, else `${XDG_CACHE_HOME:-$HOME/.cache}/facescan/models` (same rule as the product).
    static var modelsDirectory: URL {
        let env = ProcessInfo.processInfo.environment
        if let dir = env["FACESCAN_MODELS"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        let cache = env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache").path
        return URL(fileURLWithPath: cache).appendingPathComponent("facescan/models")
    }

    static func model(_ name: String) -> URL { modelsDirectory.appendingPathComponent(name) }

    /// Tests/FaceScanTests/Goldens, found from this file's path.
    static var goldensDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Goldens")
    }

    /// xorshift32 (13, 17, 5) noise in [-1, 1): value = (state >> 8) · 2⁻²³ − 1, exact in Float.
    static func xorshiftInput(count: Int, seed: UInt32) -> [Float] {
        var x = seed
        return (0..<count).map { _ in
            x ^= x << 13
            x ^= x >> 17
            x ^= x << 5
            return Float(x >> 8) * 0x1p-23 - 1
        }
    }

    static func readFloats(_ url: URL) throws -> [Float] {
        let data = try Data(contentsOf: url)
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map { Float(bitPattern: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self).littleEndian) }
        }
    }

    /// Deterministic pseudo-random floats in [-1, 1) for kernel tests.
    static func noise(_ count: Int, seed: UInt32) -> [Float] { xorshiftInput(count: count, seed: seed | 1) }

    static func maxAbsDifference(_ a: UnsafeBufferPointer<Float>, _ b: [Float]) -> Float {
        var m: Float = 0
        for i in 0..<min(a.count, b.count) { m = max(m, abs(a[i] - b[i])) }
        return a.count == b.count ? m : .infinity
    }
}

/// One entry of Goldens/goldens.json.
struct GoldenEntry: Decodable, CustomTestStringConvertible, Sendable {
    struct Output: Decodable, Sendable {
        let name: String
        let shape: [Int]
        let file: String
        let min: Float
        let max: Float
    }

    let model: String
    let sha256: String
    let input: String
    let input_shape: [Int]
    let outputs: [Output]
    let seed: UInt32?
    let input_file: String?
    let normalisation: String?

    var testDescription: String { "\(model) \(input)" }

    static let all: [GoldenEntry] = {
        struct Index: Decodable { let entries: [GoldenEntry] }
        let url = NeuralNetTestSupport.goldensDirectory.appendingPathComponent("goldens.json")
        guard let data = try? Data(contentsOf: url), let index = try? JSONDecoder().decode(Index.self, from: data) else {
            return []
        }
        return index.entries
    }()

    /// The model input this entry was made with.
    func makeInput() throws -> [Float] {
        let count = input_shape.reduce(1, *)
        if let seed { return NeuralNetTestSupport.xorshiftInput(count: count, seed: seed) }
        let bytes = try Data(contentsOf: NeuralNetTestSupport.goldensDirectory.appendingPathComponent(input_file ?? ""))
        precondition(bytes.count == count, "crop has \(bytes.count) bytes, input needs \(count)")
        if normalisation == "x/255" { return bytes.map { Float($0) / 255 } }
        return bytes.map { Float($0) / 127.5 - 1 }
    }
}
