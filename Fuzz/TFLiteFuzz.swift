// libFuzzer harness: the TFLite model reader (Sources/FaceScan/NeuralNet/TFLite/: `FlatBufferReader`,
// `TFLiteModel`, the constants, `TFLiteGraphBuilder`), through the entry point the models load with,
// `NeuralNetwork(tfliteBytes:name:)`: parse, build the graph, optimise, plan. Built and run by
// scripts/fuzz.sh.
//
// Any bytes: a network or a `ModelError`, never a trap, never a read out of bounds. A network that
// loads with a small input is run once on zeros: a graph the reader accepted must be one the kernels
// can run.
@testable import FaceScan

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let network = answer("NeuralNetwork(tfliteBytes:)", ModelError.self, { try NeuralNetwork(tfliteBytes: bytes, name: "fuzz.tflite") })
    else { return 0 }
    fuzzLog("loaded: input \(network.inputShape), outputs \(network.outputShapes), \(network.stepCount) steps")
    let inputCount = network.inputShape.reduce(1, *)
    if inputCount <= 1 << 14, network.stepCount <= 64 {
        // A ModelError here is e.g. an output that is not finite (NaN weights).
        if let outputs = answer("run on a well-sized input", ModelError.self, { try network.run([Float](repeating: 0, count: inputCount)) }) {
            guard outputs.count == network.outputShapes.count else { fatalError("\(outputs.count) outputs") }
        }
    }
    return 0
}
