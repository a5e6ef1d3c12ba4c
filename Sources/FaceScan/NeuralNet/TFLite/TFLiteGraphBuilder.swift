/// Translates a checked `TFLiteModel` into a `Graph`: constants folded (DEQUANTIZE of float16, DENSIFY
/// of sparse weights), every operator mapped to a graph operation with its options checked, every
/// computed shape compared with the shape the file declares.
struct TFLiteGraphBuilder {
    let model: TFLiteModel
    private(set) var graph: Graph
    private var values: [Int: ValueID] = [:]
    private var folded: [Int: Constant] = [:]
    /// Outputs' names, in order.
    private(set) var outputNames: [String] = []

    /// Largest element count of one activation tensor accepted from a file.
    static let maxTensorElements = 1 << 24

    init(model: TFLiteModel) throws {
        self.model = model
        let r = model.reader
        guard model.inputs.count == 1 else {
            throw r.error("model has \(model.inputs.count) inputs; exactly one is supported")
        }
        let t = model.inputs[0], tensor = model.tensors[t]
        guard tensor.type == TFLiteSchema.TensorType.float32.rawValue else {
            throw r.error("input \(tensor.name) has type \(TFLiteSchema.TensorType.name(tensor.type)); FLOAT32 is required")
        }
        guard (try? Graph.elementCount(tensor.shape)).map({ $0 <= TFLiteGraphBuilder.maxTensorElements && $0 > 0 }) == true else {
            throw r.error("input \(tensor.name) has unsupported shape \(tensor.shape)")
        }
        do { graph = try Graph(inputShape: tensor.shape, inputName: tensor.name) } catch let e as GraphError {
            throw r.error("input \(tensor.name): \(e.message)")
        }
        values[t] = graph.input
        for i in model.operators.indices {
            let name = TFLiteSchema.operatorName(model.operators[i].code)
            do {
                try build(i)
            } catch let e as GraphError {
                throw r.error("operator \(i) (\(name)): \(e.message)")
            }
        }
        for t in model.outputs {
            guard let v = values[t], v != graph.input else {
                throw r.error("output tensor \(t) (\(model.tensors[t].name)) is not computed by any operator")
            }
            graph.outputs.append(v)
            outputNames.append(model.tensors[t].name)
        }
        guard !graph.outputs.isEmpty else { throw r.error("model has no outputs") }
    }

    private func tensorName(_ t: Int) -> String { "tensor \(t) (\(model.tensors[t].name))" }

    /// The computed value behind input tensor `t`.
    private func value(_ t: Int) throws -> ValueID {
        guard t >= 0 else { throw GraphError("a required input is missing") }
        if let v = values[t] { return v }
        let isConstant = try folded[t] != nil || model.constant(t) != nil
        if isConstant {
            throw GraphError("constant input \(tensorName(t)) is not supported here")
        }
        throw GraphError("input \(tensorName(t)) is not computed before this operator")
    }

    private func constant(_ t: Int) throws -> Constant {
        guard t >= 0 else { throw GraphError("a required constant input is missing") }
        if let c = folded[t] { return c }
        guard let c = try model.constant(t) else { throw GraphError("input \(tensorName(t)) must be a constant") }
        return c
    }

    private func floats(_ t: Int) throws -> (values: [Float], shape: [Int]) {
        let c = try constant(t)
        guard c.sparsity == nil else { throw GraphError("sparse \(tensorName(t)) is used without DENSIFY") }
        guard let f = c.floats else { throw GraphError("\(tensorName(t)) must be a float constant") }
        return (f, c.shape)
    }

    private func ints(_ t: Int) throws -> [Int] {
        guard let v = try constant(t).ints else { throw GraphError("\(tensorName(t)) must be an INT32 constant") }
        return v
    }

    private func activation(_ code: Int8) throws -> Activation {
        switch code {
        case 0: return .none
        case 1: return .relu
        case 3: return .relu6
        default:
            let names = [2: "RELU_N1_TO_1", 4: "TANH", 5: "SIGN_BIT"]
            throw GraphError("fused activation \(names[Int(code)] ?? "\(code)") is not supported")
        }
    }

    private func padding(_ code: UInt8) throws -> Padding {
        switch code {
        case 0: return .same
        case 1: return .valid
        default: throw GraphError("padding \(code) is unknown")
        }
    }

    private func options(_ op: TFLiteModel.Operator, _ type: UInt8, _ what: String) throws -> FlatTable {
        guard let o = op.options, op.optionsType == type else {
            throw GraphError("missing or wrong options (type \(op.optionsType), expected \(what))")
        }
        return o
    }

    private func inputs(_ op: TFLiteModel.Operator, _ range: ClosedRange<Int>) throws {
        guard range.contains(op.inputs.count) else {
            throw GraphError("has \(op.inputs.count) inputs; expected \(range.lowerBound)...\(range.upperBound)")
        }
        guard op.outputs.count == 1 else { throw GraphError("has \(op.outputs.count) outputs; expected 1") }
    }

    private mutating func build(_ i: Int) throws {
        let op = model.operators[i]
        typealias Op = TFLiteSchema.Op
        let out = op.outputs.first ?? -1
        switch op.code {
        case Op.dequantize:
            try inputs(op, 1...1)
            let c = try constant(op.inputs[0])
            guard c.sparsity == nil, case .float16(let h) = c.data else {
                throw GraphError("only DEQUANTIZE of dense FLOAT16 constants is supported")
            }
            folded[out] = Constant(shape: c.shape, data: .float32(h.map(floatFromHalf)), sparsity: nil)
            return
        case Op.densify:
            try inputs(op, 1...1)
            let c = try constant(op.inputs[0])
            guard c.sparsity != nil else { throw GraphError("input is not sparse") }
            folded[out] = try model.densify(c, what: tensorName(op.inputs[0]))
            return
        default:
            break
        }
        let v = try buildComputed(op, out)
        let declared = model.tensors[out].shape
        guard model.tensors[out].type == TFLiteSchema.TensorType.float32.rawValue else {
            throw GraphError("output \(tensorName(out)) has type \(TFLiteSchema.TensorType.name(model.tensors[out].type)); FLOAT32 is required")
        }
        guard graph.shapes[v] == declared else {
            throw GraphError("output \(tensorName(out)) is declared \(declared) but computes to \(graph.shapes[v])")
        }
        guard graph.count(v) <= TFLiteGraphBuilder.maxTensorElements else {
            throw GraphError("output \(tensorName(out)) has shape \(declared), too large")
        }
        values[out] = v
    }

    private mutating func buildComputed(_ op: TFLiteModel.Operator, _ out: Int) throws -> ValueID {
        typealias Op = TFLiteSchema.Op
        typealias O = TFLiteSchema.Options
        // `out` is -1 for an operator without outputs: each case below rejects it with its output count.
        let name = out >= 0 ? model.tensors[out].name : ""
        let g = graph
        switch op.code {
        case Op.conv2D:
            try inputs(op, 2...3)
            let o = try options(op, O.conv2D, "Conv2DOptions")
            guard try o.i32(4, default: 1) == 1, try o.i32(5, default: 1) == 1 else {
                throw GraphError("dilation \(try o.i32(5, default: 1))×\(try o.i32(4, default: 1)) is not supported")
            }
            let w = try floats(op.inputs[1])
            let b = op.inputs.count > 2 && op.inputs[2] >= 0 ? try floats(op.inputs[2]).values : nil
            return try g.conv2D(try value(op.inputs[0]), weights: w.values, weightShape: w.shape, bias: b,
                                strideH: Int(try o.i32(2)), strideW: Int(try o.i32(1)), padding: try padding(try o.u8(0)),
                                activation: try activation(try o.i8(3)), name: name)
        case Op.depthwiseConv2D:
            try inputs(op, 2...3)
            let o = try options(op, O.depthwiseConv2D, "DepthwiseConv2DOptions")
            guard try o.i32(5, default: 1) == 1, try o.i32(6, default: 1) == 1 else {
                throw GraphError("dilation \(try o.i32(6, default: 1))×\(try o.i32(5, default: 1)) is not supported")
            }
            let w = try floats(op.inputs[1])
            let b = op.inputs.count > 2 && op.inputs[2] >= 0 ? try floats(op.inputs[2]).values : nil
            return try g.depthwiseConv2D(try value(op.inputs[0]), weights: w.values, weightShape: w.shape, bias: b,
                                         strideH: Int(try o.i32(2)), strideW: Int(try o.i32(1)),
                                         padding: try padding(try o.u8(0)), activation: try activation(try o.i8(4)),
                                         name: name)
        case Op.add:
            try inputs(op, 2...2)
            let act = op.options == nil ? Activation.none : try activation(try options(op, O.add, "AddOptions").i8(0))
            return try g.add(try value(op.inputs[0]), try value(op.inputs[1]), activation: act, name: name)
        case Op.relu, Op.relu6:
            try inputs(op, 1...1)
            return try g.activation(try value(op.inputs[0]), op.code == Op.relu ? .relu : .relu6, name: name)
        case Op.prelu:
            try inputs(op, 2...2)
            let x = try value(op.inputs[0]), a = try floats(op.inputs[1])
            let c = g.shapes[x].last ?? 0
            guard a.values.count == c, a.shape.last == c, a.shape.dropLast().allSatisfy({ $0 == 1 }) else {
                throw GraphError("PReLU slope shape \(a.shape) is not per-channel for \(c) channels")
            }
            return try g.activation(x, .prelu(a.values), name: name)
        case Op.maxPool2D, Op.averagePool2D:
            try inputs(op, 1...1)
            let o = try options(op, O.pool2D, "Pool2DOptions")
            return try g.pool(try value(op.inputs[0]), kind: op.code == Op.maxPool2D ? .max : .average,
                              kernelH: Int(try o.i32(4)), kernelW: Int(try o.i32(3)), strideH: Int(try o.i32(2)),
                              strideW: Int(try o.i32(1)), padding: try padding(try o.u8(0)),
                              activation: try activation(try o.i8(5)), name: name)
        case Op.pad:
            try inputs(op, 2...2)
            let x = try value(op.inputs[0]), p = try ints(op.inputs[1])
            let rank = g.shapes[x].count
            guard p.count == 2 * rank else { throw GraphError("paddings have \(p.count) values for rank \(rank)") }
            return try g.pad(x, before: (0..<rank).map { p[2 * $0] }, after: (0..<rank).map { p[2 * $0 + 1] }, name: name)
        case Op.reshape:
            try inputs(op, 1...2)
            return try g.reshape(try value(op.inputs[0]), to: model.tensors[out].shape, name: name)
        case Op.concatenation:
            guard op.inputs.count >= 1, op.outputs.count == 1 else { throw GraphError("bad inputs/outputs") }
            let o = try options(op, O.concatenation, "ConcatenationOptions")
            let v = try g.concatenation(try op.inputs.map { try value($0) }, axis: Int(try o.i32(0)), name: name)
            let act = try activation(try o.i8(1))
            return act == .none ? v : try g.activation(v, act, name: name)
        case Op.resizeBilinear:
            try inputs(op, 2...2)
            let size = try ints(op.inputs[1])
            guard size.count == 2 else { throw GraphError("size has \(size.count) values; expected 2") }
            let o = op.options == nil ? nil : try options(op, O.resizeBilinear, "ResizeBilinearOptions")
            return try g.resizeBilinear(try value(op.inputs[0]), height: size[0], width: size[1],
                                        alignCorners: try o?.bool(2) ?? false, halfPixelCenters: try o?.bool(3) ?? false,
                                        name: name)
        case Op.depthToSpace:
            try inputs(op, 1...1)
            let o = try options(op, O.depthToSpace, "DepthToSpaceOptions")
            return try g.depthToSpace(try value(op.inputs[0]), blockSize: Int(try o.i32(0)), name: name)
        case Op.softmax:
            try inputs(op, 1...1)
            let beta = Float(bitPattern: try options(op, O.softmax, "SoftmaxOptions").u32(0))
            return try g.softmax(try value(op.inputs[0]), beta: beta, name: name)
        case Op.mean:
            // Only the global average pool form: axes 1 and 2 of an NHWC tensor.
            try inputs(op, 2...2)
            let keepDims = op.options == nil ? false : try options(op, O.reducer, "ReducerOptions").bool(0)
            let x = try value(op.inputs[0])
            guard Set(try ints(op.inputs[1])) == [1, 2], g.shapes[x].count == 4 else {
                throw GraphError("MEAN over axes \(try ints(op.inputs[1])) of shape \(g.shapes[x]) is not supported (only axes 1, 2 of NHWC)")
            }
            let pooled = try g.meanOverSpace(x, name: name)
            return keepDims ? pooled : try g.reshape(pooled, to: [1, g.shapes[x][3]], name: name)
        case 32:
            throw GraphError("custom operator \"\(op.customName ?? "?")\" is not supported")
        default:
            throw GraphError("operator \(TFLiteSchema.operatorName(op.code)) is not supported")
        }
    }
}
