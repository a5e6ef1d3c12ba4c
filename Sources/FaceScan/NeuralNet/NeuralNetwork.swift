import Foundation

/// One neural network loaded, optimised and planned, ready to run many times.
///
/// Loading reads and checks the model file, folds constants (float16 weights, sparse weights), fuses
/// operators, packs weights for the SIMD kernels and allocates every buffer; `run` then computes
/// without allocating. Float32 NHWC tensors, batch 1.
///
/// - warning: Not thread-safe: use one instance per thread or pipeline. The buffers returned by `run`
///   are views into the network's memory, valid until the next `run`.
public final class NeuralNetwork {
    private let plan: ExecutionPlan
    private let inputCount: Int
    private let name: String

    /// Shape of the one input, e.g. `[1, 192, 192, 3]`.
    public let inputShape: [Int]
    /// Shapes of the outputs, in the model's output order.
    public let outputShapes: [[Int]]
    /// Names of the outputs (as stored in the model), in order.
    public let outputNames: [String]
    /// Threads used by `run` (≥ 1). With 1, nothing is dispatched to other threads.
    public var threads: Int {
        didSet { threads = max(1, threads) }
    }

    /// Loads a TensorFlow Lite (`.tflite`) model.
    ///
    /// - Parameters:
    ///   - url: The model file.
    ///   - threads: Threads `run` uses (default 1).
    /// - Throws: `ModelError` when the file cannot be read, is malformed, or uses an operator or option the
    ///   engine does not implement (the message names it).
    public convenience init(contentsOf url: URL, threads: Int = 1) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ModelError(file: url.path, message: "cannot read the file: \(error.localizedDescription)")
        }
        try self.init(tfliteBytes: [UInt8](data), name: url.path, threads: threads)
    }

    /// Loads a TensorFlow Lite model from its bytes; `name` is used in error messages.
    public convenience init(tfliteBytes bytes: [UInt8], name: String, threads: Int = 1) throws {
        try self.init(tfliteBytes: bytes, name: name, threads: threads, optimize: true, reuseBuffers: true)
    }

    /// `optimize: false` skips operator fusion; `reuseBuffers: false` keeps every intermediate value
    /// (see `values()`). Both are for tests and diagnostics.
    convenience init(tfliteBytes bytes: [UInt8], name: String, threads: Int, optimize: Bool, reuseBuffers: Bool) throws {
        let model = try TFLiteModel(bytes: bytes, file: name)
        let builder = try TFLiteGraphBuilder(model: model)
        try self.init(graph: builder.graph, outputNames: builder.outputNames, name: name, threads: threads,
                      optimize: optimize, reuseBuffers: reuseBuffers)
    }

    /// A network from a graph a model reader built (`outputNames` in the graph's output order).
    init(graph: Graph, outputNames: [String], name: String, threads: Int, optimize: Bool, reuseBuffers: Bool) throws {
        if optimize { GraphOptimizer.optimize(graph) }
        do { plan = try ExecutionPlan(graph: graph, reuseBuffers: reuseBuffers) } catch let e as GraphError {
            throw ModelError(file: name, message: e.message)
        }
        inputShape = graph.shapes[graph.input]
        inputCount = graph.count(graph.input)
        outputShapes = graph.outputs.map { graph.shapes[$0] }
        self.outputNames = outputNames
        self.name = name
        self.threads = max(1, threads)
    }

    /// Runs the network on one NHWC float32 input.
    ///
    /// - Parameter input: `inputShape.reduce(1, *)` floats.
    /// - Returns: One buffer per output, in order, valid until the next call.
    /// - Throws: `ModelError` if the input has the wrong number of elements, or if an output holds a
    ///   value that is not finite (NaN or infinity: damaged weights, which must never reach the
    ///   arithmetic that turns outputs into pixel positions).
    public func run(_ input: UnsafeBufferPointer<Float>) throws -> [UnsafeBufferPointer<Float>] {
        guard input.count == inputCount, let base = input.baseAddress else {
            throw ModelError(file: "input", message: "input has \(input.count) floats; the model takes \(inputShape) = \(inputCount)")
        }
        plan.pointer(plan.graph.input).update(from: base, count: inputCount)
        plan.run(threads: threads)
        let outputs = zip(plan.graph.outputs, outputShapes).map {
            UnsafeBufferPointer(start: plan.pointer($0), count: $1.reduce(1, *))
        }
        for (k, output) in outputs.enumerated() where !Self.allFinite(output) {
            if let i = output.firstIndex(where: { !$0.isFinite }) {
                throw ModelError(file: name, message: "output \(k) (\(outputNames[k])) holds \(output[i]) at \(i): the model's weights are "
                                 + "damaged; `facescan models fetch --force` installs them again")
            }
        }
        return outputs
    }

    /// True when every value is finite: v · 0 is 0 for a finite v and NaN otherwise, so the sum of those
    /// products is NaN exactly when some value is not finite (16 lanes at a time; a fraction of the
    /// time a per-element test takes on every run's outputs).
    static func allFinite(_ values: UnsafeBufferPointer<Float>) -> Bool {
        guard let base = values.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var acc = SIMD16<Float>(repeating: 0)
        var i = 0
        while i + 16 <= values.count {
            acc += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) * 0
            i += 16
        }
        var total = acc.sum()
        while i < values.count { total += values[i] * 0; i += 1 }
        return total.isFinite
    }

    /// Runs the network and copies the outputs into arrays.
    public func run(_ input: [Float]) throws -> [[Float]] {
        try input.withUnsafeBufferPointer { try run($0).map { Array($0) } }
    }

    /// Per-step times over `runs` runs on a zero input (diagnostics), in execution order.
    func profile(runs: Int) -> [(step: String, seconds: Double)] { plan.profile(runs: runs, threads: threads) }

    /// Number of executable steps after fusion (for diagnostics).
    var stepCount: Int { plan.steps.count }

    /// Names of all computed values with their contents after the last run (meaningful with
    /// `reuseBuffers: false`).
    func values() -> [(name: String, values: [Float])] {
        let g = plan.graph
        var seen = Set<ValueID>()
        var out: [(String, [Float])] = []
        for n in g.nodes where !seen.contains(n.output) {
            seen.insert(n.output)
            out.append((g.names[n.output], Array(UnsafeBufferPointer(start: plan.pointer(n.output), count: g.count(n.output)))))
        }
        return out
    }
}
