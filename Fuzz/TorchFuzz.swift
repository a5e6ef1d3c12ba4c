// libFuzzer harness: the PyTorch checkpoint reader (Sources/FaceScan/NeuralNet/PyTorch/: `PickleReader`,
// `TorchCheckpoint`) and the MTCNN graph builder. Built and run by scripts/fuzz.sh.
//
// Every input is parsed as a legacy torch.save checkpoint: a state dict or a `ModelError`, never a trap,
// never a read out of bounds. A checkpoint that loads is built as each MTCNN stage (its tensors' names
// and shapes are checked there), and a network that builds is run once on a small input.
@testable import FaceScan

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let checkpoint = answer("checkpoint", ModelError.self, { try TorchCheckpoint(bytes: bytes, file: "fuzz.pt") }) else { return 0 }
    for name in checkpoint.names {
        guard let t = checkpoint.tensors[name], t.values.count == t.shape.reduce(1, *) else { fatalError("tensor \(name) has the wrong element count") }
    }
    fuzzLog("checkpoint loaded: \(checkpoint.names)")
    for (stage, side) in [(MTCNNGraphBuilder.Stage.proposal, 14), (.refine, 24), (.output, 48)] {
        if let net = answer("\(stage)", ModelError.self, { try NeuralNetwork(mtcnn: stage, checkpoint: checkpoint, name: "fuzz.pt", height: side, width: side) }) {
            let input = (0..<(side * side * 3)).map { Float($0 % 17) / 17 - 0.5 }
            _ = answer("run", ModelError.self, { try net.run(input) })
            fuzzLog("\(stage) built and ran")
        }
    }
    return 0
}
