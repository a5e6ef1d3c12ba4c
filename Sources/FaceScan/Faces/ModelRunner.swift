/// One model with its input buffer: fill the input in place, run, read the outputs. The models of the
/// face pipeline (detectors, mesh, iris) are all used this way. Not thread-safe, like NeuralNetwork.
final class ModelRunner {
    let network: NeuralNetwork
    private var input: [Float]

    init(bytes: [UInt8], name: String, threads: Int = 1) throws {
        network = try NeuralNetwork(tfliteBytes: bytes, name: name, threads: threads)
        input = [Float](repeating: 0, count: network.inputShape.reduce(1, *))
    }

    /// Loads a model from the store (verified against its SHA-256).
    convenience init(_ model: ModelFile, store: ModelStore) throws {
        try self.init(bytes: [UInt8](try store.load(model)), name: store.url(of: model).path)
    }

    /// `fill` writes the NHWC input; the outputs are valid until the next run.
    func run(_ fill: (UnsafeMutablePointer<Float>) -> Void) throws -> [UnsafeBufferPointer<Float>] {
        input.withUnsafeMutableBufferPointer { fill($0.baseAddress!) }
        return try input.withUnsafeBufferPointer { try network.run($0) }
    }
}
