/// A float32 tensor of a PyTorch state dict, its elements in row-major (contiguous) order.
struct TorchTensor {
    var shape: [Int]
    var values: [Float]
}

/// The named tensors of a PyTorch state dict saved by `torch.save` in its legacy (non-zip) format, the
/// format of facenet-pytorch's MTCNN weights (`pnet.pt`, `rnet.pt`, `onet.pt`). The file is, in order:
///
/// 1. a pickle of the magic number 0x1950a86a20f9469cfc6c, then one of the protocol version 1001;
/// 2. a pickle of the system info: `little_endian` must be true;
/// 3. the state dict: an OrderedDict of name → `torch._utils._rebuild_tensor_v2(storage, offset, size,
///    stride, requires_grad, hooks)`, the storage a persistent id `('storage', torch.FloatStorage, key,
///    location, numel, view)`;
/// 4. a pickle of the list of storage keys, then each storage in that order: its element count as a
///    little-endian int64 and its raw little-endian float32 elements.
///
/// Only float32 storages are read. A tensor's view (offset, sizes, strides) is checked to lie inside its
/// storage before its elements are gathered. Malformed, truncated or hostile files give a `ModelError`;
/// nothing is executed and nothing is read out of bounds. The zip format of newer PyTorch is recognised
/// and refused with a message.
struct TorchCheckpoint {
    private(set) var names: [String] = []
    private(set) var tensors: [String: TorchTensor] = [:]

    /// Largest tensor accepted, in elements.
    static let maxElements = 1 << 26
    static let magic: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]

    init(bytes: [UInt8], file: String) throws {
        func fail(_ message: String) -> ModelError { ModelError(file: file, message: message) }
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            throw fail("a PyTorch zip checkpoint; only the legacy torch.save format is supported")
        }
        var reader = PickleReader(bytes: bytes, file: file)
        guard case .bigInt(let magic) = try reader.read(), magic == Self.magic else {
            throw fail("not a PyTorch checkpoint: the first pickle is not torch.save's magic number")
        }
        guard try reader.read().int == 1001 else { throw fail("PyTorch checkpoint protocol version is not 1001") }
        guard case .dict(let info) = try reader.read(), case .bool(true)? = info["little_endian"] else {
            throw fail("the checkpoint's system info does not say little-endian")
        }
        guard case .dict(let state) = try reader.read() else { throw fail("the checkpoint does not hold a state dict") }
        guard case .list(let keyList) = try reader.read() else { throw fail("the checkpoint's storage key list is missing") }

        // Storages, in the key list's order, each an int64 count and raw float32 values.
        var storages: [String: ArraySlice<UInt8>] = [:]
        var offset = reader.offset
        for k in keyList.items {
            guard let key = k.string else { throw fail("a storage key is a \(k.kind), not a string") }
            guard bytes.count - offset >= 8 else { throw fail("storage \(key) at offset \(offset): the file ends before its size") }
            var n: UInt64 = 0
            for i in 0..<8 { n |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
            offset += 8
            guard n <= UInt64(Self.maxElements), Int(n) * 4 <= bytes.count - offset else {
                throw fail("storage \(key) at offset \(offset - 8): \(n) floats run past the end of the file (\(bytes.count) bytes)")
            }
            guard storages[key] == nil else { throw fail("storage \(key) is stored twice") }
            storages[key] = bytes[offset..<offset + Int(n) * 4]
            offset += Int(n) * 4
        }

        for (k, v) in state.entries {
            guard let name = k.string else { throw fail("a state dict key is a \(k.kind), not a string") }
            guard tensors[name] == nil else { throw fail("tensor \(name) appears twice") }
            let t = try Self.tensor(v, storages: storages, fail: { fail("tensor \(name): \($0)") })
            names.append(name)
            tensors[name] = t
        }
    }

    /// A `_rebuild_tensor_v2` call materialised from its storage.
    private static func tensor(_ v: PickleValue, storages: [String: ArraySlice<UInt8>],
                               fail: (String) -> ModelError) throws -> TorchTensor {
        guard case .call("torch._utils", "_rebuild_tensor_v2", let a) = v, a.count >= 4 else {
            throw fail("a \(v.kind), not torch._utils._rebuild_tensor_v2(storage, offset, size, stride, …)")
        }
        guard case .persistent(let pid) = a[0], let id = pid.tuple, id.count >= 5, id[0].string == "storage" else {
            throw fail("its storage is not a persistent ('storage', …) id")
        }
        guard case .global("torch", "FloatStorage") = id[1] else { throw fail("its storage is a \(id[1].kind); only torch.FloatStorage is supported") }
        guard let key = id[2].string, let storage = storages[key] else { throw fail("its storage \(id[2].string ?? id[2].kind) is not in the file") }
        guard let start = a[1].int, start >= 0, let sizes = a[2].tuple?.compactMap(\.int), let strides = a[3].tuple?.compactMap(\.int),
              sizes.count == a[2].tuple!.count, strides.count == sizes.count, sizes.count <= 8 else {
            throw fail("its offset, sizes or strides are not integers of one rank")
        }
        guard sizes.allSatisfy({ $0 >= 0 && $0 <= Int64(maxElements) }), strides.allSatisfy({ $0 >= 0 && $0 <= Int64(maxElements) }) else {
            throw fail("sizes \(sizes) or strides \(strides) are out of range")
        }
        var count: Int64 = 1, last = start
        for (s, st) in zip(sizes, strides) {
            count *= s
            guard count <= Int64(maxElements) else { throw fail("sizes \(sizes) hold more than \(maxElements) elements") }
            if s > 0 { last += (s - 1) * st }
        }
        let available = Int64(storage.count / 4)
        guard count == 0 || last < available, start <= available, count <= available else {
            throw fail("its view (offset \(start), sizes \(sizes), strides \(strides)) reaches past its storage of \(available) floats")
        }
        let shape = sizes.map(Int.init)
        var values = [Float](repeating: 0, count: Int(count))
        let base = storage.startIndex
        func float(at i: Int) -> Float {
            let p = base + 4 * i
            let bits = UInt32(storage[p]) | UInt32(storage[p + 1]) << 8 | UInt32(storage[p + 2]) << 16 | UInt32(storage[p + 3]) << 24
            return Float(bitPattern: bits)
        }
        // Gather in row-major order with an odometer over the indices.
        var index = [Int](repeating: 0, count: shape.count)
        for n in 0..<Int(count) {
            var at = Int(start)
            for d in 0..<shape.count { at += index[d] * Int(strides[d]) }
            values[n] = float(at: at)
            var d = shape.count - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < shape[d] { break }
                index[d] = 0
                d -= 1
            }
        }
        return TorchTensor(shape: shape, values: values)
    }

    /// The tensor `name` with shape `shape`, or a `ModelError`.
    func tensor(_ name: String, shape: [Int], file: String) throws -> [Float] {
        guard let t = tensors[name] else { throw ModelError(file: file, message: "tensor \(name) is missing") }
        guard t.shape == shape else {
            throw ModelError(file: file, message: "tensor \(name) has shape \(t.shape), \(shape) expected")
        }
        return t.values
    }
}
