import Foundation
import Testing
@testable import FaceScan

/// The graph layer: fusion leaves results unchanged, buffer reuse leaves results unchanged, the planner
/// and optimizer work on graphs built by hand (no file format).
@Suite("NeuralNet graph, fusion and planning")
struct NeuralNetGraphTests {
    static let models = [
        "face_detection_short_range.tflite", "face_detection_full_range.tflite",
        "face_detection_full_range_sparse.tflite", "face_landmark.tflite", "iris_landmark.tflite",
    ]

    @Test("fused and unfused graphs, with and without buffer reuse, agree", arguments: models)
    func fusionIsExact(_ name: String) throws {
        let url = NeuralNetTestSupport.model(name)
        try #require(FileManager.default.fileExists(atPath: url.path), "model \(url.path) is missing")
        let bytes = [UInt8](try Data(contentsOf: url))
        let fused = try NeuralNetwork(tfliteBytes: bytes, name: name, threads: 1, optimize: true, reuseBuffers: true)
        let plain = try NeuralNetwork(tfliteBytes: bytes, name: name, threads: 1, optimize: false, reuseBuffers: false)
        #expect(fused.stepCount < plain.stepCount)
        let input = NeuralNetTestSupport.xorshiftInput(count: fused.inputShape.reduce(1, *), seed: 77)
        let a = try fused.run(input), b = try plain.run(input)
        for (x, y) in zip(a, b) {
            let range = (y.max() ?? 0) - (y.min() ?? 0)
            let err = zip(x, y).map { abs($0 - $1) }.max() ?? 0
            #expect(err <= 1e-5 * max(range, 1), "\(name): fused vs unfused max |Δ| \(err)")
        }
    }

    @Test("diagnostics: every intermediate value kept without reuse, per-step profile")
    func diagnostics() throws {
        let url = NeuralNetTestSupport.model("iris_landmark.tflite")
        try #require(FileManager.default.fileExists(atPath: url.path), "model \(url.path) is missing")
        let bytes = [UInt8](try Data(contentsOf: url))
        let net = try NeuralNetwork(tfliteBytes: bytes, name: "iris", threads: 1, optimize: false, reuseBuffers: false)
        let input = NeuralNetTestSupport.xorshiftInput(count: net.inputShape.reduce(1, *), seed: 5)
        let outputs = try net.run(input)
        let values = net.values()
        #expect(values.count == 169)  // one per operator of the model
        for (name, output) in zip(net.outputNames, outputs) {
            #expect(values.first { $0.name == name }?.values == output)
        }
        let profile = net.profile(runs: 2)
        #expect(profile.count == net.stepCount && profile.allSatisfy { $0.seconds >= 0 && !$0.step.isEmpty })
    }

    @Test("a hand-built graph: conv → add → relu fuses into one step and computes the same")
    func handBuilt() throws {
        let g = try Graph(inputShape: [1, 5, 6, 8])
        let w1 = NeuralNetTestSupport.noise(12 * 8, seed: 1), w2 = NeuralNetTestSupport.noise(12 * 9 * 12, seed: 2)
        let a = try g.conv2D(g.input, weights: w1, weightShape: [12, 1, 1, 8], bias: nil, strideH: 1, strideW: 1,
                             padding: .valid)
        let p = try g.pad(g.input, before: [0, 0, 0, 0], after: [0, 0, 0, 4])
        let s = try g.add(a, p)
        let r = try g.activation(s, .relu)
        let q = try g.pad(r, before: [0, 1, 1, 0], after: [0, 1, 1, 0])
        let c = try g.conv2D(q, weights: w2, weightShape: [12, 3, 3, 12], bias: nil, strideH: 2, strideW: 2,
                             padding: .valid)
        g.outputs = [c]
        let plain = try ExecutionPlan(graph: g, reuseBuffers: false)
        let x = NeuralNetTestSupport.noise(5 * 6 * 8, seed: 3)
        plain.pointer(g.input).update(from: x, count: x.count)
        plain.run(threads: 1)
        let expected = Array(UnsafeBufferPointer(start: plain.pointer(c), count: g.count(c)))

        GraphOptimizer.optimize(g)
        #expect(g.nodes.count == 2)  // conv+pad+add+relu, then pad+conv
        let fused = try ExecutionPlan(graph: g)
        fused.pointer(g.input).update(from: x, count: x.count)
        fused.run(threads: 2)
        let got = Array(UnsafeBufferPointer(start: fused.pointer(g.outputs[0]), count: g.count(g.outputs[0])))
        #expect(g.shapes[g.outputs[0]] == [1, 3, 3, 12])
        #expect(zip(got, expected).allSatisfy { abs($0 - $1) <= 1e-5 })
    }

    @Test("shape checks of the builder")
    func shapeChecks() throws {
        let g = try Graph(inputShape: [1, 4, 4, 3])
        #expect(throws: GraphError.self) {
            _ = try g.conv2D(g.input, weights: [Float](repeating: 0, count: 8 * 4), weightShape: [8, 1, 1, 4], bias: nil,
                             strideH: 1, strideW: 1, padding: .valid)
        }
        #expect(throws: GraphError.self) {
            _ = try g.conv2D(g.input, weights: [Float](repeating: 0, count: 8 * 25 * 3), weightShape: [8, 5, 5, 3],
                             bias: nil, strideH: 1, strideW: 1, padding: .valid)
        }
        #expect(throws: GraphError.self) { _ = try g.reshape(g.input, to: [1, 47]) }
        #expect(throws: GraphError.self) { _ = try Graph(inputShape: [1, 1 << 20, 1 << 20, 3]) }
        let (w, oh, ow) = try Window.resolve(inH: 128, inW: 128, kernelH: 5, kernelW: 5, strideH: 2, strideW: 2,
                                             padding: .same)
        #expect((oh, ow, w.padTop, w.padBottom, w.padLeft, w.padRight) == (64, 64, 1, 2, 1, 2))
        let (v, vh, _) = try Window.resolve(inH: 96, inW: 96, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2,
                                            padding: .same)
        #expect((vh, v.padTop, v.padBottom) == (48, 0, 0))
    }
}
