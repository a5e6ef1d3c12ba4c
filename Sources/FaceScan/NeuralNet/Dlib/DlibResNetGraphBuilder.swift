/// Translates a parsed `DlibResNetModel` into a `Graph` for facescan's engine (NHWC, batch 1):
///
/// - **convolution**: dlib's NCHW filters `[O, I, kh, kw]` are transposed to the engine's OHWI
///   `[O, kh, kw, I]`; dlib's explicit padding (0 or 1 on every side) becomes an explicit window padding;
/// - **affine** (per-channel γ·x + β after a convolution) is folded into that convolution:
///   w′ = γ·w, b′ = γ·b + β (the same function; only float rounding differs);
/// - **relu**, **max_pool** 3×3 s2 and **avg_pool** 2×2 s2 (padding 0, so every window lies inside the
///   input and the average divides by 4) map to the engine's activation and pooling; dlib's output size
///   1 + (in − k)/stride equals the engine's VALID size; avg_pool_everything is a VALID pool over the
///   whole input;
/// - **add_prev** (sum with every dimension the larger of the two, missing elements zero) becomes zero
///   PADs of the smaller operand(s) — spatial at the bottom/right, channels at the end, as dlib's
///   element indexing implies — followed by an ADD; the engine's optimizer then folds channel pads into
///   the ADD and the ADD (with the following ReLU) into the convolution that produced the other operand;
/// - **fully connected** (no bias) becomes a 1×1 convolution of the 1×1×256 pooled value, its weights
///   `W[in][out]` transposed to `[out, 1, 1, in]`.
///
/// The graph's one output is the 128-D descriptor, `[1, 1, 1, 128]`.
enum DlibResNetGraphBuilder {
    static func build(_ model: DlibResNetModel) throws -> Graph {
        let n = model.inputSize
        let g = try Graph(inputShape: [1, n, n, 3], inputName: "input_rgb_image_sized")
        var x = g.input
        var tags: [Int: ValueID] = [:]
        var pendingConv: (DlibResNetModel.Convolution, ValueID, String)? = nil
        /// Emits the pending convolution (with any folded affine) and returns its output.
        func flush() throws {
            guard let (c, input, name) = pendingConv else { return }
            pendingConv = nil
            x = try g.conv2D(input, weights: ohwi(c), weightShape: [c.outChannels, c.kernel, c.kernel, c.inChannels],
                             bias: c.biases, strideH: c.stride, strideW: c.stride,
                             padding: .explicit(top: c.padding, left: c.padding, bottom: c.padding, right: c.padding),
                             name: name)
        }
        for (i, layer) in model.layers.enumerated() {
            let name = "layer\(i)"
            switch layer {
            case .convolution(let c):
                try flush()
                pendingConv = (c, x, name)
            case let .affine(gamma, beta):
                guard let pending = pendingConv, gamma.count == pending.0.outChannels else {
                    throw GraphError("\(name): an affine layer that does not follow a convolution is not supported")
                }
                var c = pending.0
                let per = c.inChannels * c.kernel * c.kernel
                for o in 0..<c.outChannels {
                    for j in 0..<per { c.filters[o * per + j] *= gamma[o] }
                    c.biases[o] = gamma[o] * c.biases[o] + beta[o]
                }
                pendingConv = (c, pending.1, pending.2 + "+affine")
            case .relu:
                try flush()
                x = try g.activation(x, .relu, name: name)
            case let .maxPool(window, stride):
                try flush()
                x = try g.pool(x, kind: .max, kernelH: window, kernelW: window, strideH: stride, strideW: stride,
                               padding: .valid, name: name)
            case let .averagePool(window, stride):
                try flush()
                let s = try g.nhwc(x)
                let (kh, kw) = window == 0 ? (s.h, s.w) : (window, window)
                x = try g.pool(x, kind: .average, kernelH: kh, kernelW: kw, strideH: stride, strideW: stride,
                               padding: .valid, name: name)
            case .tag(let t):
                try flush()
                tags[t] = x
            case .skip(let t):
                try flush()
                guard let v = tags[t] else { throw GraphError("\(name): skip\(t) without tag\(t)") }
                x = v
            case .addPrevious(let t):
                try flush()
                guard let v = tags[t] else { throw GraphError("\(name): add_prev\(t) without tag\(t)") }
                x = try addZeroPadded(g, x, v, name: name)
            case let .fullyConnected(inputs, outputs, weights):
                try flush()
                let s = try g.nhwc(x)
                guard s.h * s.w * s.c == inputs else {
                    throw GraphError("\(name): fully connected layer takes \(inputs) inputs, the value has \(s.h * s.w * s.c)")
                }
                if s.h != 1 || s.w != 1 { x = try g.reshape(x, to: [1, 1, 1, inputs], name: name + ".flatten") }
                var w = [Float](repeating: 0, count: inputs * outputs)
                for i in 0..<inputs { for j in 0..<outputs { w[j * inputs + i] = weights[i * outputs + j] } }
                x = try g.conv2D(x, weights: w, weightShape: [outputs, 1, 1, inputs], bias: nil, strideH: 1, strideW: 1,
                                 padding: .valid, name: name)
            }
        }
        try flush()
        g.outputs = [x]
        return g
    }

    /// dlib's `[O, I, kh, kw]` filters as OHWI `[O, kh, kw, I]`.
    static func ohwi(_ c: DlibResNetModel.Convolution) -> [Float] {
        let k = c.kernel, ci = c.inChannels
        var w = [Float](repeating: 0, count: c.filters.count)
        for o in 0..<c.outChannels {
            for i in 0..<ci {
                for y in 0..<k {
                    for xx in 0..<k {
                        w[((o * k + y) * k + xx) * ci + i] = c.filters[((o * ci + i) * k + y) * k + xx]
                    }
                }
            }
        }
        return w
    }

    /// dlib's add_prev: `a + b` where the result has the larger size of each dimension and elements
    /// missing from an operand count as zero (operands are aligned at the top-left, channel 0).
    static func addZeroPadded(_ g: Graph, _ a: ValueID, _ b: ValueID, name: String) throws -> ValueID {
        let sa = try g.nhwc(a), sb = try g.nhwc(b)
        let target = [1, max(sa.h, sb.h), max(sa.w, sb.w), max(sa.c, sb.c)]
        func padded(_ v: ValueID, _ suffix: String) throws -> ValueID {
            let s = g.shapes[v]
            if s == target { return v }
            return try g.pad(v, before: [0, 0, 0, 0], after: (0..<4).map { target[$0] - s[$0] }, name: name + suffix)
        }
        return try g.add(try padded(a, ".padA"), try padded(b, ".padB"), name: name)
    }
}

extension NeuralNetwork {
    /// Loads dlib's face recognition ResNet (`dlib_face_recognition_resnet_model_v1.dat`) onto facescan's
    /// engine. The network takes one `[1, 150, 150, 3]` NHWC input — an aligned face chip, each pixel
    /// `(value − mean) / 256` with `DlibResNetModel`'s per-channel means — and returns the 128-D descriptor.
    ///
    /// - Parameters:
    ///   - bytes: The file's bytes (e.g. from `ModelStore.load(.faceRecognitionResNet)`).
    ///   - name: Used in error messages.
    ///   - threads: Threads `run` uses.
    /// - Throws: `ModelError` when the file is malformed, truncated, or not this network.
    public convenience init(dlibResNetBytes bytes: [UInt8], name: String, threads: Int = 1) throws {
        let model = try DlibResNetModel(bytes: bytes, file: name)
        try self.init(dlibResNet: model, name: name, threads: threads, optimize: true, reuseBuffers: true)
    }

    /// A network from an already parsed model; `optimize`/`reuseBuffers` as for the TFLite loader.
    convenience init(dlibResNet model: DlibResNetModel, name: String, threads: Int, optimize: Bool,
                     reuseBuffers: Bool) throws {
        let graph: Graph
        do { graph = try DlibResNetGraphBuilder.build(model) } catch let e as GraphError {
            throw ModelError(file: name, message: e.message)
        }
        try self.init(graph: graph, outputNames: ["descriptor"], name: name, threads: threads, optimize: optimize,
                      reuseBuffers: reuseBuffers)
    }
}
