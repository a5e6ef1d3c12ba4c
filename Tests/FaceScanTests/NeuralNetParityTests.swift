import Foundation
import Testing
@testable import FaceScan

/// Every output of the five TFLite face models against LiteRT goldens (scripts/make_goldens.py), on a
/// seeded random input and on a real face crop: max |Δ| ≤ 1e-3 and ≤ 1e-4 × (max − min) of the golden
/// (for a one-value output, whose max − min is 0, its magnitude is used instead).
@Suite("NeuralNet parity with LiteRT")
struct NeuralNetParityTests {
    @Test("goldens are present for the five models and two inputs")
    func goldensPresent() {
        #expect(GoldenEntry.all.count == 10)
        #expect(Set(GoldenEntry.all.map(\.model)).count == 5)
    }

    @Test("outputs match LiteRT", arguments: GoldenEntry.all)
    func parity(_ entry: GoldenEntry) throws {
        let url = NeuralNetTestSupport.model(entry.model)
        try #require(FileManager.default.fileExists(atPath: url.path), "model \(url.path) is missing")
        for threads in [1, 2] {
            let net = try NeuralNetwork(contentsOf: url, threads: threads)
            #expect(net.inputShape == entry.input_shape)
            #expect(net.outputShapes == entry.outputs.map(\.shape))
            #expect(net.outputNames == entry.outputs.map(\.name))
            let input = try entry.makeInput()
            for _ in 0..<2 {  // a second run must give the same results (buffers reused)
                let outputs = try input.withUnsafeBufferPointer { try net.run($0) }
                for (i, golden) in entry.outputs.enumerated() {
                    let expected = try NeuralNetTestSupport.readFloats(
                        NeuralNetTestSupport.goldensDirectory.appendingPathComponent(golden.file))
                    let err = NeuralNetTestSupport.maxAbsDifference(outputs[i], expected)
                    let range = expected.count > 1 ? golden.max - golden.min : abs(golden.max)
                    print("parity \(entry.model) \(entry.input) threads=\(threads) \(golden.name): max|Δ| = \(err) (range \(range))")
                    #expect(err <= 1e-3, "\(golden.name): max |Δ| \(err)")
                    #expect(err <= 1e-4 * range, "\(golden.name): max |Δ| \(err) vs range \(range)")
                }
            }
        }
    }
}
