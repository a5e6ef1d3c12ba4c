/// Builder methods: each checks its operands and parameters, infers the output shape, appends a node and
/// returns the output value. Errors are `GraphError`s describing the mismatch.
extension Graph {
    /// Batch-1 NHWC dimensions of `v`, or an error naming `role`.
    func nhwc(_ v: ValueID, _ role: String = "input") throws -> (h: Int, w: Int, c: Int) {
        let s = shapes[v]
        guard s.count == 4 else { throw GraphError("\(role) has shape \(s); a 4-D NHWC tensor is required") }
        guard s[0] == 1 else { throw GraphError("\(role) has batch \(s[0]); only batch 1 is supported") }
        guard s[1] >= 1, s[2] >= 1, s[3] >= 1 else { throw GraphError("\(role) has an empty shape \(s)") }
        return (s[1], s[2], s[3])
    }

    private func append(_ op: GraphOp, _ inputs: [ValueID], shape: [Int], activation: Activation,
                        name: String) throws -> ValueID {
        if case .prelu(let slope) = activation, slope.count != shape.last {
            throw GraphError("PReLU has \(slope.count) slopes for \(shape.last ?? 0) channels")
        }
        let out = try addValue(shape: shape, name: name)
        nodes.append(GraphNode(op: op, inputs: inputs, output: out, activation: activation))
        return out
    }

    /// 2-D convolution; `weights` are OHWI with shape `weightShape`.
    func conv2D(_ x: ValueID, weights: [Float], weightShape: [Int], bias: [Float]?, strideH: Int, strideW: Int,
                padding: Padding, activation: Activation = .none, name: String = "") throws -> ValueID {
        let (h, w, c) = try nhwc(x)
        guard weightShape.count == 4 else { throw GraphError("filter shape \(weightShape) is not [O, kh, kw, I]") }
        let (o, kh, kw, i) = (weightShape[0], weightShape[1], weightShape[2], weightShape[3])
        guard i == c else { throw GraphError("filter has \(i) input channels, input has \(c)") }
        guard o >= 1, weights.count == o * kh * kw * i else {
            throw GraphError("filter has \(weights.count) values for shape \(weightShape)")
        }
        let b = bias ?? [Float](repeating: 0, count: o)
        guard b.count == o else { throw GraphError("bias has \(b.count) values for \(o) output channels") }
        let (win, oh, ow) = try Window.resolve(inH: h, inW: w, kernelH: kh, kernelW: kw,
                                               strideH: strideH, strideW: strideW, padding: padding)
        let p = Conv2DParams(window: win, inChannels: c, outChannels: o, weights: weights, bias: b)
        return try append(.conv2D(p), [x], shape: [1, oh, ow, o], activation: activation, name: name)
    }

    /// Depthwise convolution (multiplier 1); `weights` have shape `[kh, kw, C]` (or `[1, kh, kw, C]`).
    func depthwiseConv2D(_ x: ValueID, weights: [Float], weightShape: [Int], bias: [Float]?, strideH: Int,
                         strideW: Int, padding: Padding, activation: Activation = .none,
                         name: String = "") throws -> ValueID {
        let (h, w, c) = try nhwc(x)
        let ws = weightShape.count == 4 && weightShape[0] == 1 ? Array(weightShape.dropFirst()) : weightShape
        guard ws.count == 3 else { throw GraphError("depthwise filter shape \(weightShape) is not [1, kh, kw, C]") }
        guard ws[2] == c else {
            throw GraphError("depthwise filter has \(ws[2]) channels, input has \(c) (only multiplier 1 is supported)")
        }
        guard weights.count == ws[0] * ws[1] * c else {
            throw GraphError("depthwise filter has \(weights.count) values for shape \(weightShape)")
        }
        let b = bias ?? [Float](repeating: 0, count: c)
        guard b.count == c else { throw GraphError("bias has \(b.count) values for \(c) channels") }
        let (win, oh, ow) = try Window.resolve(inH: h, inW: w, kernelH: ws[0], kernelW: ws[1],
                                               strideH: strideH, strideW: strideW, padding: padding)
        let p = DepthwiseParams(window: win, channels: c, weights: weights, bias: b)
        return try append(.depthwiseConv2D(p), [x], shape: [1, oh, ow, c], activation: activation, name: name)
    }

    /// Element-wise sum of two values of the same shape.
    func add(_ a: ValueID, _ b: ValueID, activation: Activation = .none, name: String = "") throws -> ValueID {
        guard shapes[a] == shapes[b] else {
            throw GraphError("operands have shapes \(shapes[a]) and \(shapes[b]); broadcasting is not supported")
        }
        return try append(.add, [a, b], shape: shapes[a], activation: activation, name: name)
    }

    /// A standalone activation (RELU, RELU6, PRELU).
    func activation(_ x: ValueID, _ activation: Activation, name: String = "") throws -> ValueID {
        guard !shapes[x].isEmpty else { throw GraphError("activation of a scalar is not supported") }
        return try append(.activation, [x], shape: shapes[x], activation: activation, name: name)
    }

    /// Max or average pooling (average counts only the taps inside the input, as TFLite does).
    func pool(_ x: ValueID, kind: PoolKind, kernelH: Int, kernelW: Int, strideH: Int, strideW: Int,
              padding: Padding, activation: Activation = .none, name: String = "") throws -> ValueID {
        let (h, w, c) = try nhwc(x)
        let (win, oh, ow) = try Window.resolve(inH: h, inW: w, kernelH: kernelH, kernelW: kernelW,
                                               strideH: strideH, strideW: strideW, padding: padding)
        return try append(.pool(kind, win), [x], shape: [1, oh, ow, c], activation: activation, name: name)
    }

    /// Softmax over the last axis.
    func softmax(_ x: ValueID, beta: Float, name: String = "") throws -> ValueID {
        guard let c = shapes[x].last, c >= 1 else { throw GraphError("softmax of a scalar is not supported") }
        guard beta.isFinite, beta > 0 else { throw GraphError("softmax beta \(beta) must be a positive finite number") }
        return try append(.softmax(beta: beta), [x], shape: shapes[x], activation: .none, name: name)
    }

    /// The mean over height and width (global average pooling): [1, H, W, C] to [1, 1, 1, C].
    func meanOverSpace(_ x: ValueID, name: String = "") throws -> ValueID {
        let (h, w, _) = try nhwc(x)
        return try pool(x, kind: .average, kernelH: h, kernelW: w, strideH: 1, strideW: 1, padding: .valid, name: name)
    }

    /// Zero padding of `before[d]`/`after[d]` elements on each dimension.
    func pad(_ x: ValueID, before: [Int], after: [Int], name: String = "") throws -> ValueID {
        let s = shapes[x]
        guard before.count == s.count, after.count == s.count else {
            throw GraphError("paddings have \(before.count) rows for a rank-\(s.count) input")
        }
        guard before.allSatisfy({ $0 >= 0 && $0 <= 1 << 20 }), after.allSatisfy({ $0 >= 0 && $0 <= 1 << 20 }) else {
            throw GraphError("paddings \(zip(before, after).map { [$0, $1] }) must be non-negative and small")
        }
        guard s.count >= 1, s.count <= 4 else { throw GraphError("PAD of a rank-\(s.count) tensor is not supported") }
        let out = (0..<s.count).map { s[$0] + before[$0] + after[$0] }
        return try append(.pad(before: before, after: after), [x], shape: out, activation: .none, name: name)
    }

    /// Same elements with a new shape.
    func reshape(_ x: ValueID, to shape: [Int], name: String = "") throws -> ValueID {
        guard try Graph.elementCount(shape) == count(x) else {
            throw GraphError("cannot reshape \(shapes[x]) to \(shape): element counts differ")
        }
        return try append(.reshape, [x], shape: shape, activation: .none, name: name)
    }

    /// Concatenation along `axis` (negative counts from the end).
    func concatenation(_ xs: [ValueID], axis: Int, activation: Activation = .none, name: String = "") throws -> ValueID {
        guard let first = xs.first else { throw GraphError("concatenation of no tensors") }
        let rank = shapes[first].count
        let ax = axis < 0 ? axis + rank : axis
        guard ax >= 0, ax < rank else { throw GraphError("axis \(axis) is out of range for rank \(rank)") }
        var out = shapes[first]
        out[ax] = 0
        for x in xs {
            let s = shapes[x]
            guard s.count == rank, (0..<rank).allSatisfy({ $0 == ax || s[$0] == out[$0] }) else {
                throw GraphError("cannot concatenate shapes \(xs.map { shapes[$0] }) along axis \(axis)")
            }
            out[ax] += s[ax]
        }
        return try append(.concatenation(axis: ax), xs, shape: out, activation: activation, name: name)
    }

    /// Bilinear resize to `height`×`width`.
    func resizeBilinear(_ x: ValueID, height: Int, width: Int, alignCorners: Bool, halfPixelCenters: Bool,
                        name: String = "") throws -> ValueID {
        let (_, _, c) = try nhwc(x)
        guard height >= 1, width >= 1, height <= 1 << 14, width <= 1 << 14 else {
            throw GraphError("resize size \(height)×\(width) is invalid")
        }
        guard !(alignCorners && halfPixelCenters) else {
            throw GraphError("align_corners and half_pixel_centers cannot both be set")
        }
        return try append(.resizeBilinear(alignCorners: alignCorners, halfPixelCenters: halfPixelCenters), [x],
                          shape: [1, height, width, c], activation: .none, name: name)
    }

    /// Depth to space (DCR order, as TFLite): `[1, H, W, C·b²]` → `[1, H·b, W·b, C]`.
    func depthToSpace(_ x: ValueID, blockSize b: Int, name: String = "") throws -> ValueID {
        let (h, w, c) = try nhwc(x)
        guard b >= 1, b <= 64, c % (b * b) == 0 else {
            throw GraphError("block size \(b) does not divide \(c) channels")
        }
        return try append(.depthToSpace(blockSize: b), [x], shape: [1, h * b, w * b, c / (b * b)],
                          activation: .none, name: name)
    }
}
