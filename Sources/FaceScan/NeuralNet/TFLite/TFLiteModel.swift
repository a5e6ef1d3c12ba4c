/// The parts of a `.tflite` file the engine uses, read and checked: tensors, operators in execution
/// order, buffers (as byte ranges of the file), subgraph inputs and outputs. Only subgraph 0 is read.
struct TFLiteModel {
    struct Tensor {
        var shape: [Int]
        var type: Int8
        var buffer: Int
        var name: String
        /// Affine quantization (a non-empty scale vector), as stored; checked when the tensor is used.
        var quantization: Quantization?
        var sparsity: FlatTable?
        var quantized: Bool { quantization != nil }
    }

    /// `real = scale * (q - zeroPoint)`, one scale (per tensor) or one per index of dimension `dimension`.
    struct Quantization {
        var scales: [Float]
        var zeroPoints: [Int64]
        var dimension: Int
    }

    /// Most scales accepted in one tensor's quantization.
    static let maxScales = 1 << 16

    struct Operator {
        var code: Int32
        var customName: String?
        var inputs: [Int]
        var outputs: [Int]
        var optionsType: UInt8
        var options: FlatTable?
    }

    let reader: FlatBufferReader
    var tensors: [Tensor] = []
    var operators: [Operator] = []
    var inputs: [Int] = []
    var outputs: [Int] = []
    /// Byte range of each buffer's data in the file (empty when the buffer has none).
    var buffers: [Range<Int>] = []
    var description: String = ""

    static let maxTensors = 1 << 20

    init(bytes: [UInt8], file: String) throws {
        reader = FlatBufferReader(bytes: bytes, file: file)
        let model = try reader.root(identifier: "TFL3")
        let version = try model.u32(TFLiteSchema.Model.version)
        guard version == 3 else { throw reader.error("schema version \(version) is not supported (expected 3)") }
        description = try model.string(TFLiteSchema.Model.description, "description") ?? ""

        guard let codes = try model.vector(TFLiteSchema.Model.operatorCodes, elementSize: 4, "operator_codes") else {
            throw reader.error("model has no operator_codes")
        }
        var opCodes: [(Int32, String?)] = []
        for i in 0..<codes.count {
            let t = try codes.table(i)
            let deprecated = Int32(try t.i8(TFLiteSchema.OperatorCode.deprecatedBuiltinCode))
            let extended = try t.i32(TFLiteSchema.OperatorCode.builtinCode)
            let custom = try t.string(TFLiteSchema.OperatorCode.customCode, "custom_code")
            opCodes.append((max(deprecated, extended), custom))
        }

        guard let bufs = try model.vector(TFLiteSchema.Model.buffers, elementSize: 4, "buffers") else {
            throw reader.error("model has no buffers")
        }
        for i in 0..<bufs.count {
            let t = try bufs.table(i)
            if let data = try t.vector(TFLiteSchema.Buffer.data, elementSize: 1, "data") {
                buffers.append(data.byteRange)
            } else {
                let offset = try t.u64(TFLiteSchema.Buffer.offset), size = try t.u64(TFLiteSchema.Buffer.size)
                if offset > 1 {
                    guard offset <= UInt64(reader.size), size <= UInt64(reader.size) - offset else {
                        throw reader.error("buffer \(i): external data at offset \(offset) (\(size) bytes) runs past the end of the file (\(reader.size) bytes)")
                    }
                    buffers.append(Int(offset)..<Int(offset + size))
                } else {
                    buffers.append(0..<0)
                }
            }
        }

        guard let subgraphs = try model.vector(TFLiteSchema.Model.subgraphs, elementSize: 4, "subgraphs"),
              subgraphs.count >= 1 else { throw reader.error("model has no subgraph") }
        let sg = try subgraphs.table(0)
        guard let tv = try sg.vector(TFLiteSchema.SubGraph.tensors, elementSize: 4, "tensors") else {
            throw reader.error("subgraph 0 has no tensors")
        }
        guard tv.count <= TFLiteModel.maxTensors else { throw reader.error("subgraph 0 has \(tv.count) tensors, too many") }
        for i in 0..<tv.count {
            let t = try tv.table(i)
            let name = try t.string(TFLiteSchema.Tensor.name, "name") ?? "#\(i)"
            let shape = try t.int32s(TFLiteSchema.Tensor.shape, "shape") ?? []
            guard shape.count <= 8 else { throw reader.error("tensor \(i) (\(name)) has rank \(shape.count), too high") }
            guard shape.allSatisfy({ $0 >= 0 }) else {
                throw reader.error("tensor \(i) (\(name)) has shape \(shape); dynamic or negative dimensions are not supported")
            }
            let buffer = Int(try t.u32(TFLiteSchema.Tensor.buffer))
            guard buffer < buffers.count else {
                throw reader.error("tensor \(i) (\(name)) refers to buffer \(buffer); the model has \(buffers.count)")
            }
            var quantization: Quantization? = nil
            if let q = try t.table(TFLiteSchema.Tensor.quantization, "quantization"),
               let scales = try q.vector(TFLiteSchema.Quantization.scale, elementSize: 4, "scale"), scales.count > 0 {
                guard scales.count <= TFLiteModel.maxScales else {
                    throw reader.error("tensor \(i) (\(name)) has \(scales.count) quantization scales, too many")
                }
                let zeros = try q.vector(TFLiteSchema.Quantization.zeroPoint, elementSize: 8, "zero_point")
                guard (zeros?.count ?? 0) <= TFLiteModel.maxScales else {
                    throw reader.error("tensor \(i) (\(name)) has \(zeros?.count ?? 0) zero points, too many")
                }
                quantization = Quantization(
                    scales: try (0..<scales.count).map { Float(bitPattern: try reader.u32(scales.start + 4 * $0, "scale[\($0)]")) },
                    zeroPoints: try (0..<(zeros?.count ?? 0)).map { Int64(bitPattern: try reader.u64(zeros!.start + 8 * $0, "zero_point[\($0)]")) },
                    dimension: Int(try q.i32(TFLiteSchema.Quantization.quantizedDimension)))
            }
            let sparsity = try t.table(TFLiteSchema.Tensor.sparsity, "sparsity")
            tensors.append(Tensor(shape: shape, type: try t.i8(TFLiteSchema.Tensor.type), buffer: buffer, name: name,
                                  quantization: quantization, sparsity: sparsity))
        }

        func indices(_ v: [Int]?, _ what: String, optional: Bool) throws -> [Int] {
            let list = v ?? []
            for x in list where !(x >= 0 && x < tensors.count) && !(optional && x == -1) {
                throw reader.error("\(what) refers to tensor \(x); subgraph 0 has \(tensors.count)")
            }
            return list
        }
        inputs = try indices(try sg.int32s(TFLiteSchema.SubGraph.inputs, "inputs"), "subgraph input", optional: false)
        outputs = try indices(try sg.int32s(TFLiteSchema.SubGraph.outputs, "outputs"), "subgraph output", optional: false)

        guard let ops = try sg.vector(TFLiteSchema.SubGraph.operators, elementSize: 4, "operators") else {
            throw reader.error("subgraph 0 has no operators")
        }
        for i in 0..<ops.count {
            let t = try ops.table(i)
            let index = Int(try t.u32(TFLiteSchema.Operator.opcodeIndex))
            guard index < opCodes.count else {
                throw reader.error("operator \(i) has opcode index \(index); the model has \(opCodes.count) operator codes")
            }
            let ins = try indices(try t.int32s(TFLiteSchema.Operator.inputs, "inputs"), "operator \(i) input", optional: true)
            let outs = try indices(try t.int32s(TFLiteSchema.Operator.outputs, "outputs"), "operator \(i) output",
                                   optional: false)
            operators.append(Operator(code: opCodes[index].0, customName: opCodes[index].1, inputs: ins, outputs: outs,
                                      optionsType: try t.u8(TFLiteSchema.Operator.builtinOptionsType),
                                      options: try t.table(TFLiteSchema.Operator.builtinOptions, "builtin_options")))
        }
    }

    /// The raw bytes of buffer `b`.
    func bytes(ofBuffer b: Int) -> ArraySlice<UInt8> { reader.bytes[buffers[b]] }
}
