/// Constant tensors of a TFLite model: read from buffers (sizes checked against the shape), expanded
/// from float16, dequantized from int8 (per tensor or per channel), densified from the CSR sparse
/// format. All of this happens at load time.
enum ConstantData {
    case float32([Float])
    /// IEEE half-precision bit patterns.
    case float16([UInt16])
    case int32([Int32])
}

struct Constant {
    var shape: [Int]
    var data: ConstantData
    /// Set for a sparse tensor as stored (its data are the stored values only).
    var sparsity: FlatTable?

    /// The values as floats (float16 expanded), or nil for other types.
    var floats: [Float]? {
        switch data {
        case .float32(let v): return v
        case .float16(let v): return v.map(floatFromHalf)
        case .int32: return nil
        }
    }

    var ints: [Int]? {
        if case .int32(let v) = data { return v.map { Int($0) } }
        return nil
    }
}

/// IEEE 754 half → single, exactly (subnormals, infinities and NaN included).
func floatFromHalf(_ h: UInt16) -> Float {
    let sign: UInt32 = UInt32(h >> 15) << 31
    let exponent = UInt32(h >> 10) & 0x1f, mantissa = UInt32(h & 0x3ff)
    if exponent == 0 {
        let magnitude = Float(mantissa) * 0x1p-24
        return sign != 0 ? -magnitude : magnitude
    }
    if exponent == 31 { return Float(bitPattern: sign | 0x7f80_0000 | mantissa << 13) }
    return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
}

extension TFLiteModel {
    /// The constant held by tensor `t`, or nil when it has no data (an activation).
    func constant(_ t: Int) throws -> Constant? {
        let tensor = tensors[t]
        let bytes = self.bytes(ofBuffer: tensor.buffer)
        if bytes.isEmpty { return nil }
        let what = "tensor \(t) (\(tensor.name))"
        if let q = tensor.quantization {
            guard tensor.type == TFLiteSchema.TensorType.int8.rawValue, tensor.sparsity == nil else {
                throw reader.error("\(what) is a quantized \(TFLiteSchema.TensorType.name(tensor.type)) constant; only dense INT8 weights are supported")
            }
            return try dequantized(bytes, q, tensor.shape, what)
        }
        let size: Int
        switch TFLiteSchema.TensorType(rawValue: tensor.type) {
        case .float32?, .int32?: size = 4
        case .float16?: size = 2
        default:
            throw reader.error("\(what) has type \(TFLiteSchema.TensorType.name(tensor.type)); only FLOAT32, FLOAT16 and INT32 constants are supported")
        }
        let count: Int
        if tensor.sparsity != nil {
            guard bytes.count % size == 0 else {
                throw reader.error("\(what): sparse buffer of \(bytes.count) bytes is not a whole number of values")
            }
            count = bytes.count / size
        } else {
            do { count = try Graph.elementCount(tensor.shape) } catch let e as GraphError {
                throw reader.error("\(what): \(e.message)")
            }
            guard bytes.count == count * size else {
                throw reader.error("\(what) has \(bytes.count) bytes of data; shape \(tensor.shape) of \(TFLiteSchema.TensorType.name(tensor.type)) needs \(count * size)")
            }
        }
        let data: ConstantData = bytes.withUnsafeBytes { raw in
            switch TFLiteSchema.TensorType(rawValue: tensor.type)! {
            case .float16:
                return .float16((0..<count).map { raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self).littleEndian })
            case .int32:
                return .int32((0..<count).map { raw.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self).littleEndian })
            default:
                return .float32((0..<count).map {
                    Float(bitPattern: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self).littleEndian)
                })
            }
        }
        return Constant(shape: tensor.shape, data: data, sparsity: tensor.sparsity)
    }

    /// An INT8 constant as floats, `scale * (q - zeroPoint)` (the weights of a "dynamic-range" quantized
    /// model, whose activations are float). Every quantization parameter is checked: one scale, or one per
    /// index of the quantized dimension; as many zero points (or none: 0); scales positive and finite;
    /// zero points within int8.
    func dequantized(_ bytes: ArraySlice<UInt8>, _ q: Quantization, _ shape: [Int], _ what: String) throws -> Constant {
        let count: Int
        do { count = try Graph.elementCount(shape) } catch let e as GraphError { throw reader.error("\(what): \(e.message)") }
        guard bytes.count == count else {
            throw reader.error("\(what) has \(bytes.count) bytes of data; shape \(shape) of INT8 needs \(count)")
        }
        guard q.scales.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw reader.error("\(what) has a quantization scale that is not a positive finite number")
        }
        guard q.zeroPoints.isEmpty || q.zeroPoints.count == q.scales.count else {
            throw reader.error("\(what) has \(q.zeroPoints.count) zero points for \(q.scales.count) scales")
        }
        guard q.zeroPoints.allSatisfy({ (-128...127).contains($0) }) else {
            throw reader.error("\(what) has a zero point outside -128...127")
        }
        // Elements per index of the quantized dimension, and how many such blocks repeat.
        var inner = 1, channels = 1
        if q.scales.count > 1 {
            guard q.dimension >= 0, q.dimension < shape.count, shape[q.dimension] == q.scales.count else {
                throw reader.error("\(what) has \(q.scales.count) scales along dimension \(q.dimension) of shape \(shape)")
            }
            channels = q.scales.count
            inner = shape[(q.dimension + 1)...].reduce(1, *)
        }
        var out = [Float](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            for i in 0..<count {
                let c = channels == 1 ? 0 : (i / inner) % channels
                let zero = q.zeroPoints.isEmpty ? 0 : Float(q.zeroPoints[c])
                out[i] = q.scales[c] * (Float(Int8(bitPattern: raw[i])) - zero)
            }
        }
        return Constant(shape: shape, data: .float32(out), sparsity: nil)
    }

    /// The dense form of a sparse constant (DENSIFY), for traversal order = identity, no block map, and
    /// any mix of DENSE and SPARSE_CSR dimensions. Every index and segment is checked.
    func densify(_ c: Constant, what: String) throws -> Constant {
        guard let sp = c.sparsity else { return c }
        let rank = c.shape.count
        let order = try sp.int32s(TFLiteSchema.Sparsity.traversalOrder, "traversal_order") ?? []
        guard order == Array(0..<rank) else {
            throw reader.error("\(what): sparse traversal order \(order) is not supported (only \(Array(0..<rank)))")
        }
        if let bm = try sp.vector(TFLiteSchema.Sparsity.blockMap, elementSize: 4, "block_map"), bm.count > 0 {
            throw reader.error("\(what): block-sparse tensors are not supported")
        }
        guard let meta = try sp.vector(TFLiteSchema.Sparsity.dimMetadata, elementSize: 4, "dim_metadata"),
              meta.count == rank else {
            throw reader.error("\(what): sparsity needs \(rank) dimension metadata entries")
        }
        struct Level { var dense: Bool; var segments: [Int]; var indices: [Int] }
        var levels: [Level] = []
        for d in 0..<rank {
            let m = try meta.table(d)
            let format = try m.u8(TFLiteSchema.Sparsity.format)
            if format == 0 {
                let size = Int(try m.i32(TFLiteSchema.Sparsity.denseSize))
                guard size == c.shape[d] else {
                    throw reader.error("\(what): dense size \(size) of dimension \(d) differs from shape \(c.shape)")
                }
                levels.append(Level(dense: true, segments: [], indices: []))
            } else if format == 1 {
                let seg = try indexVector(m, typeField: TFLiteSchema.Sparsity.segmentsType,
                                          field: TFLiteSchema.Sparsity.segments, "\(what) array_segments")
                let idx = try indexVector(m, typeField: TFLiteSchema.Sparsity.indicesType,
                                          field: TFLiteSchema.Sparsity.indices, "\(what) array_indices")
                levels.append(Level(dense: false, segments: seg, indices: idx))
            } else {
                throw reader.error("\(what): dimension \(d) has unknown format \(format)")
            }
        }
        let total = try Graph.elementCount(c.shape)
        guard total <= 16 * max(storedCount(c), 256) else {
            throw reader.error("\(what): dense shape \(c.shape) is implausibly large for \(storedCount(c)) stored values")
        }
        var positions = [Int](repeating: -1, count: total)  // dense index → stored value index
        var visited = 0
        func walk(_ level: Int, _ parent: Int, _ dense: Int) throws {
            if level == rank {
                positions[dense] = parent
                visited += 1
                return
            }
            let l = levels[level], size = c.shape[level]
            if l.dense {
                for i in 0..<size { try walk(level + 1, parent * size + i, dense * size + i) }
            } else {
                guard parent + 1 < l.segments.count else {
                    throw reader.error("\(what): array_segments of dimension \(level) has \(l.segments.count) entries; entry \(parent + 1) is needed")
                }
                let lo = l.segments[parent], hi = l.segments[parent + 1]
                guard lo >= 0, lo <= hi, hi <= l.indices.count else {
                    throw reader.error("\(what): segment \(lo)..<\(hi) of dimension \(level) is invalid (\(l.indices.count) indices)")
                }
                for k in lo..<hi {
                    let i = l.indices[k]
                    guard i >= 0, i < size else {
                        throw reader.error("\(what): index \(i) in dimension \(level) is out of range 0..<\(size)")
                    }
                    try walk(level + 1, k, dense * size + i)
                }
            }
        }
        try walk(0, 0, 0)
        func expand<T>(_ stored: [T], zero: T) throws -> [T] {
            guard visited == stored.count else {
                throw reader.error("\(what): sparsity metadata addresses \(visited) values; \(stored.count) are stored")
            }
            return positions.map { $0 >= 0 && $0 < stored.count ? stored[$0] : zero }
        }
        var out = c
        out.sparsity = nil
        switch c.data {
        case .float16(let v): out.data = .float16(try expand(v, zero: 0))
        case .float32(let v): out.data = .float32(try expand(v, zero: 0))
        case .int32(let v): out.data = .int32(try expand(v, zero: 0))
        }
        return out
    }

    private func storedCount(_ c: Constant) -> Int {
        switch c.data {
        case .float16(let v): return v.count
        case .float32(let v): return v.count
        case .int32(let v): return v.count
        }
    }

    private func indexVector(_ m: FlatTable, typeField: Int, field: Int, _ what: String) throws -> [Int] {
        let type = try m.u8(typeField)
        guard let t = try m.table(field, what) else { throw reader.error("\(what) is missing") }
        switch type {
        case TFLiteSchema.Sparsity.int32Vector:
            return try t.int32s(0, "values") ?? []
        case TFLiteSchema.Sparsity.uint16Vector:
            guard let v = try t.vector(0, elementSize: 2, "values") else { return [] }
            return try (0..<v.count).map { Int(try v.u16($0)) }
        case TFLiteSchema.Sparsity.uint8Vector:
            guard let v = try t.vector(0, elementSize: 1, "values") else { return [] }
            return try (0..<v.count).map { Int(try v.u8($0)) }
        default:
            throw reader.error("\(what) has unknown index vector type \(type)")
        }
    }
}
