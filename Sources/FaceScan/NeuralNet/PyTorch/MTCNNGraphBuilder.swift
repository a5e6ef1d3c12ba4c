/// The three networks of MTCNN (Zhang et al. 2016) as facenet-pytorch defines them (`models/mtcnn.py`),
/// built for facescan's engine (NHWC, batch 1) from their state dicts:
///
/// - **P-Net**, fully convolutional, for any input of at least 12×12: conv 3×3 (10) · PReLU · max pool
///   2×2 s2 · conv 3×3 (16) · PReLU · conv 3×3 (32) · PReLU, then two 1×1 heads: face probability
///   (softmax of 2) and box regression (4). One output cell per 2 input pixels, each seeing 12×12.
/// - **R-Net**, 24×24: conv 3×3 (28) · PReLU · pool 3×3 s2 · conv 3×3 (48) · PReLU · pool 3×3 s2 · conv
///   2×2 (64) · PReLU · dense 576→128 · PReLU, then probability (2) and regression (4).
/// - **O-Net**, 48×48: four convolutions (32, 64, 64, 128) with three pools, dense 1152→256 · PReLU, then
///   probability (2), regression (4) and five landmarks (10: five x, then five y).
///
/// Translation: PyTorch's `[O, I, kh, kw]` filters become OHWI; `MaxPool2d(ceil_mode=True)` becomes a
/// VALID pool with extra bottom/right padding that max pooling ignores (the engine's max skips padded
/// taps), which gives PyTorch's ceil output size; a `Linear` after `permute(0, 3, 2, 1)` (features in
/// W, H, C order) becomes a 1×1 convolution over the flattened NHWC value, its weight columns reordered
/// from (w·H + h)·C + c to (h·W + w)·C + c.
enum MTCNNGraphBuilder {
    enum Stage: String { case proposal = "pnet", refine = "rnet", output = "onet" }

    /// Output names of the built graphs, in order.
    static func outputNames(_ stage: Stage) -> [String] {
        stage == .output ? ["probability", "regression", "landmarks"] : ["probability", "regression"]
    }

    /// Input side of the fixed-size stages.
    static func inputSide(_ stage: Stage) -> Int? {
        switch stage {
        case .proposal: return nil
        case .refine: return 24
        case .output: return 48
        }
    }

    static func build(_ stage: Stage, _ model: TorchCheckpoint, file: String, height: Int, width: Int) throws -> Graph {
        let g = try Graph(inputShape: [1, height, width, 3], inputName: "image")
        func conv(_ x: ValueID, _ name: String, _ k: Int, _ inC: Int, _ outC: Int, prelu: String?) throws -> ValueID {
            let w = try model.tensor(name + ".weight", shape: [outC, inC, k, k], file: file)
            let b = try model.tensor(name + ".bias", shape: [outC], file: file)
            let activation = try prelu.map { Activation.prelu(try model.tensor($0 + ".weight", shape: [outC], file: file)) } ?? .none
            return try g.conv2D(x, weights: ohwi(w, outC, inC, k), weightShape: [outC, k, k, inC], bias: b,
                                strideH: 1, strideW: 1, padding: .valid, activation: activation, name: name)
        }
        func pool(_ x: ValueID, _ k: Int, _ s: Int, _ name: String) throws -> ValueID {
            let (h, w, _) = try g.nhwc(x)
            func extra(_ n: Int) -> Int {
                guard n >= k else { return 0 }
                let out = (n - k + s - 1) / s + 1
                return max(0, (out - 1) * s + k - n)
            }
            return try g.pool(x, kind: .max, kernelH: k, kernelW: k, strideH: s, strideW: s,
                              padding: .explicit(top: 0, left: 0, bottom: extra(h), right: extra(w)), name: name)
        }
        /// A `Linear` layer as a 1×1 convolution; `permuted` reorders its columns for a (W, H, C) flatten.
        func dense(_ x: ValueID, _ name: String, _ inC: Int, _ outC: Int, prelu: String?, permuted: Bool) throws -> ValueID {
            let (h, w, c) = try g.nhwc(x)
            guard h * w * c == inC else { throw GraphError("\(name) takes \(inC) features, the value has \(h * w * c)") }
            var weights = try model.tensor(name + ".weight", shape: [outC, inC], file: file)
            if permuted, h * w > 1 {
                let original = weights
                for o in 0..<outC {
                    for y in 0..<h { for xx in 0..<w { for ch in 0..<c {
                        weights[o * inC + (y * w + xx) * c + ch] = original[o * inC + (xx * h + y) * c + ch]
                    } } }
                }
            }
            let input = h * w > 1 ? try g.reshape(x, to: [1, 1, 1, inC], name: name + ".flatten") : x
            let b = try model.tensor(name + ".bias", shape: [outC], file: file)
            let activation = try prelu.map { Activation.prelu(try model.tensor($0 + ".weight", shape: [outC], file: file)) } ?? .none
            return try g.conv2D(input, weights: weights, weightShape: [outC, 1, 1, inC], bias: b, strideH: 1, strideW: 1,
                                padding: .valid, activation: activation, name: name)
        }

        switch stage {
        case .proposal:
            var x = try conv(g.input, "conv1", 3, 3, 10, prelu: "prelu1")
            x = try pool(x, 2, 2, "pool1")
            x = try conv(x, "conv2", 3, 10, 16, prelu: "prelu2")
            x = try conv(x, "conv3", 3, 16, 32, prelu: "prelu3")
            let p = try g.softmax(try conv(x, "conv4_1", 1, 32, 2, prelu: nil), beta: 1, name: "softmax4_1")
            g.outputs = [p, try conv(x, "conv4_2", 1, 32, 4, prelu: nil)]
        case .refine:
            var x = try conv(g.input, "conv1", 3, 3, 28, prelu: "prelu1")
            x = try pool(x, 3, 2, "pool1")
            x = try conv(x, "conv2", 3, 28, 48, prelu: "prelu2")
            x = try pool(x, 3, 2, "pool2")
            x = try conv(x, "conv3", 2, 48, 64, prelu: "prelu3")
            x = try dense(x, "dense4", 576, 128, prelu: "prelu4", permuted: true)
            let p = try g.softmax(try dense(x, "dense5_1", 128, 2, prelu: nil, permuted: false), beta: 1, name: "softmax5_1")
            g.outputs = [p, try dense(x, "dense5_2", 128, 4, prelu: nil, permuted: false)]
        case .output:
            var x = try conv(g.input, "conv1", 3, 3, 32, prelu: "prelu1")
            x = try pool(x, 3, 2, "pool1")
            x = try conv(x, "conv2", 3, 32, 64, prelu: "prelu2")
            x = try pool(x, 3, 2, "pool2")
            x = try conv(x, "conv3", 3, 64, 64, prelu: "prelu3")
            x = try pool(x, 2, 2, "pool3")
            x = try conv(x, "conv4", 2, 64, 128, prelu: "prelu4")
            x = try dense(x, "dense5", 1152, 256, prelu: "prelu5", permuted: true)
            let p = try g.softmax(try dense(x, "dense6_1", 256, 2, prelu: nil, permuted: false), beta: 1, name: "softmax6_1")
            g.outputs = [p, try dense(x, "dense6_2", 256, 4, prelu: nil, permuted: false),
                         try dense(x, "dense6_3", 256, 10, prelu: nil, permuted: false)]
        }
        return g
    }

    /// PyTorch's `[O, I, k, k]` filters as OHWI `[O, k, k, I]`.
    static func ohwi(_ w: [Float], _ o: Int, _ i: Int, _ k: Int) -> [Float] {
        var out = [Float](repeating: 0, count: w.count)
        for a in 0..<o { for b in 0..<i { for y in 0..<k { for x in 0..<k {
            out[((a * k + y) * k + x) * i + b] = w[((a * i + b) * k + y) * k + x]
        } } } }
        return out
    }
}

extension NeuralNetwork {
    /// One MTCNN stage from its facenet-pytorch checkpoint on facescan's engine. The input is
    /// `[1, height, width, 3]` NHWC RGB, each value `(pixel − 127.5) / 128`; the fixed-size stages take
    /// 24×24 (R-Net) and 48×48 (O-Net). Outputs: the face probability (softmax of two, the face's
    /// second), the box regression and, for O-Net, the five landmarks.
    convenience init(mtcnn stage: MTCNNGraphBuilder.Stage, checkpoint: TorchCheckpoint, name: String,
                     height: Int, width: Int, threads: Int = 1) throws {
        let graph: Graph
        do {
            graph = try MTCNNGraphBuilder.build(stage, checkpoint, file: name, height: height, width: width)
        } catch let e as GraphError {
            throw ModelError(file: name, message: e.message)
        }
        try self.init(graph: graph, outputNames: MTCNNGraphBuilder.outputNames(stage), name: name, threads: threads,
                      optimize: true, reuseBuffers: true)
    }
}
