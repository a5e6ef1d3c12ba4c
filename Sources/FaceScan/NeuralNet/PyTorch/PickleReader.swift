/// A value read from a Python pickle, as far as PyTorch's checkpoints use them. Nothing is executed:
/// a call (`REDUCE`) is kept as the callable's name and its arguments, for the checkpoint reader to
/// interpret. Lists and dicts are reference types, as in Python, so `SETITEMS` on a memoised dict is
/// seen through every reference to it.
indirect enum PickleValue {
    case none
    case bool(Bool)
    case int(Int64)
    /// An integer too large for Int64 (`LONG1`), as its little-endian two's complement bytes.
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple([PickleValue])
    case list(PickleList)
    case dict(PickleDict)
    /// A `GLOBAL` reference: `module.name`.
    case global(module: String, name: String)
    /// `BINPERSID`: the persistent id (PyTorch names its storages this way).
    case persistent(PickleValue)
    /// `REDUCE` of a callable other than `collections.OrderedDict`: `callable(*arguments)`, not called.
    case call(module: String, name: String, arguments: [PickleValue])

    var string: String? { if case .string(let s) = self { return s }; return nil }
    var int: Int64? { if case .int(let i) = self { return i }; return nil }
    var tuple: [PickleValue]? { if case .tuple(let t) = self { return t }; return nil }
    var dict: PickleDict? { if case .dict(let d) = self { return d }; return nil }

    /// A short name of the kind of value, for error messages.
    var kind: String {
        switch self {
        case .none: return "None"
        case .bool: return "bool"
        case .int, .bigInt: return "int"
        case .float: return "float"
        case .string: return "str"
        case .bytes: return "bytes"
        case .tuple: return "tuple"
        case .list: return "list"
        case .dict: return "dict"
        case .global(let m, let n): return "global \(m).\(n)"
        case .persistent: return "persistent id"
        case .call(let m, let n, _): return "call of \(m).\(n)"
        }
    }
}

final class PickleList { var items: [PickleValue] = [] }

/// A dict in insertion order (pickled dicts and OrderedDicts keep their order).
final class PickleDict {
    var entries: [(key: PickleValue, value: PickleValue)] = []
    /// The value of the first entry whose key is the string `key`.
    subscript(key: String) -> PickleValue? { entries.first { $0.key.string == key }?.value }
}

/// A bounds-checked reader of Python's pickle format (protocols 0–2, the opcodes `torch.save` writes),
/// reading one pickle from `offset` to its `STOP`.
///
/// Only data is built: `GLOBAL` pushes a name, `REDUCE` of `collections.OrderedDict()` makes an empty
/// dict and any other `REDUCE` makes a `.call` that is never executed, `BINPERSID` wraps the id, and
/// `BUILD` (an object's state, e.g. a state dict's `_metadata`) is read and dropped. Every length is
/// checked against the bytes left before anything is allocated, the stack and memo are checked on every
/// access, and every other opcode is refused: any problem is a `ModelError` naming the offset.
struct PickleReader {
    let bytes: [UInt8]
    let file: String
    private(set) var offset: Int
    /// At most this many values on the stack and in the memo together (a hostile file cannot make the
    /// reader allocate much more than its own size).
    static let maxValues = 1 << 20

    init(bytes: [UInt8], file: String, offset: Int = 0) {
        self.bytes = bytes
        self.file = file
        self.offset = offset
    }

    func error(_ message: String, at position: Int? = nil) -> ModelError {
        ModelError(file: file, message: "pickle at offset \(position ?? offset): \(message)")
    }

    private func need(_ count: Int, _ what: String) throws {
        guard count >= 0, count <= bytes.count - offset else {
            throw error("\(what) needs \(count) bytes but the file ends after \(bytes.count - offset) more")
        }
    }

    private mutating func take(_ count: Int, _ what: String) throws -> ArraySlice<UInt8> {
        try need(count, what)
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    private mutating func littleEndian(_ count: Int, _ what: String) throws -> UInt64 {
        var v: UInt64 = 0
        for (i, b) in try take(count, what).enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
        return v
    }

    private mutating func line(_ what: String) throws -> String {
        guard let end = bytes[offset...].firstIndex(of: 0x0A) else { throw error("\(what) has no end of line") }
        guard end - offset <= 256 else { throw error("\(what) is longer than 256 bytes") }
        defer { offset = end + 1 }
        guard let s = String(validating: bytes[offset..<end], as: UTF8.self) else { throw error("\(what) is not UTF-8") }
        return s
    }

    private mutating func text(_ count: Int, _ what: String) throws -> String {
        let start = offset
        guard let s = String(validating: try take(count, what), as: UTF8.self) else {
            throw error("\(what) is not UTF-8", at: start)
        }
        return s
    }

    /// Reads one pickle and returns its value; `offset` is then just past its `STOP`.
    mutating func read() throws -> PickleValue {
        var stack: [PickleValue] = []
        var marks: [Int] = []
        var memo: [UInt64: PickleValue] = [:]

        func pop(_ op: String) throws -> PickleValue {
            guard let v = stack.popLast(), stack.count >= (marks.last ?? 0) else {
                throw error("\(op) on an empty stack")
            }
            return v
        }
        func popMark(_ op: String) throws -> [PickleValue] {
            guard let m = marks.popLast() else { throw error("\(op) without a MARK") }
            defer { stack.removeSubrange(m...) }
            return Array(stack[m...])
        }
        func top(_ op: String) throws -> PickleValue {
            guard let v = stack.last, stack.count > (marks.last ?? 0) else { throw error("\(op) on an empty stack") }
            return v
        }

        while true {
            let at = offset
            let op = try take(1, "an opcode").first!
            guard stack.count + memo.count <= Self.maxValues else { throw error("more than \(Self.maxValues) values", at: at) }
            switch op {
            case 0x80: // PROTO
                let p = try take(1, "PROTO").first!
                guard p <= 2 else { throw error("pickle protocol \(p) is not supported (0–2)", at: at) }
            case 0x2E: // STOP
                guard stack.count == 1, marks.isEmpty else {
                    throw error("STOP with \(stack.count) values on the stack (1 expected)", at: at)
                }
                return stack[0]
            case 0x28: marks.append(stack.count) // MARK
            case 0x29: stack.append(.tuple([])) // EMPTY_TUPLE
            case 0x74: stack.append(.tuple(try popMark("TUPLE"))) // TUPLE
            case 0x85, 0x86, 0x87: // TUPLE1..3
                let n = Int(op - 0x84)
                var items: [PickleValue] = []
                for _ in 0..<n { items.insert(try pop("TUPLE\(n)"), at: 0) }
                stack.append(.tuple(items))
            case 0x5D: stack.append(.list(PickleList())) // EMPTY_LIST
            case 0x7D: stack.append(.dict(PickleDict())) // EMPTY_DICT
            case 0x61: // APPEND
                let v = try pop("APPEND")
                guard case .list(let l) = try top("APPEND") else { throw error("APPEND to a \(try top("APPEND").kind)", at: at) }
                l.items.append(v)
            case 0x65: // APPENDS
                let items = try popMark("APPENDS")
                guard case .list(let l) = try top("APPENDS") else { throw error("APPENDS to a \(try top("APPENDS").kind)", at: at) }
                l.items += items
            case 0x73: // SETITEM
                let v = try pop("SETITEM"), k = try pop("SETITEM")
                guard case .dict(let d) = try top("SETITEM") else { throw error("SETITEM on a \(try top("SETITEM").kind)", at: at) }
                d.entries.append((k, v))
            case 0x75: // SETITEMS
                let items = try popMark("SETITEMS")
                guard items.count % 2 == 0 else { throw error("SETITEMS with an odd number of values", at: at) }
                guard case .dict(let d) = try top("SETITEMS") else { throw error("SETITEMS on a \(try top("SETITEMS").kind)", at: at) }
                for i in stride(from: 0, to: items.count, by: 2) { d.entries.append((items[i], items[i + 1])) }
            case 0x4B: stack.append(.int(Int64(try littleEndian(1, "BININT1")))) // BININT1
            case 0x4D: stack.append(.int(Int64(try littleEndian(2, "BININT2")))) // BININT2
            case 0x4A: stack.append(.int(Int64(Int32(truncatingIfNeeded: try littleEndian(4, "BININT"))))) // BININT
            case 0x8A: // LONG1
                let n = Int(try take(1, "LONG1").first!)
                let raw = Array(try take(n, "LONG1"))
                if n <= 8 {
                    var v: UInt64 = 0
                    for (i, b) in raw.enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
                    if n > 0, n < 8, raw[n - 1] & 0x80 != 0 { v |= ~UInt64(0) << (8 * UInt64(n)) }
                    stack.append(.int(Int64(bitPattern: v)))
                } else {
                    stack.append(.bigInt(raw))
                }
            case 0x4E: stack.append(.none) // NONE
            case 0x88: stack.append(.bool(true)) // NEWTRUE
            case 0x89: stack.append(.bool(false)) // NEWFALSE
            case 0x47: // BINFLOAT (big-endian)
                var v: UInt64 = 0
                for b in try take(8, "BINFLOAT") { v = v << 8 | UInt64(b) }
                stack.append(.float(Double(bitPattern: v)))
            case 0x58: // BINUNICODE
                let n = try littleEndian(4, "BINUNICODE length")
                stack.append(.string(try text(Int(n), "BINUNICODE")))
            case 0x55: // SHORT_BINSTRING
                let n = Int(try take(1, "SHORT_BINSTRING").first!)
                stack.append(.string(try text(n, "SHORT_BINSTRING")))
            case 0x54: // BINSTRING
                let n = Int32(truncatingIfNeeded: try littleEndian(4, "BINSTRING length"))
                guard n >= 0 else { throw error("BINSTRING of negative length \(n)", at: at) }
                stack.append(.string(try text(Int(n), "BINSTRING")))
            case 0x43: // SHORT_BINBYTES
                let n = Int(try take(1, "SHORT_BINBYTES").first!)
                stack.append(.bytes(Array(try take(n, "SHORT_BINBYTES"))))
            case 0x42: // BINBYTES
                let n = try littleEndian(4, "BINBYTES length")
                stack.append(.bytes(Array(try take(Int(n), "BINBYTES"))))
            case 0x63: // GLOBAL
                let module = try line("GLOBAL module"), name = try line("GLOBAL name")
                stack.append(.global(module: module, name: name))
            case 0x71: memo[try littleEndian(1, "BINPUT")] = try top("BINPUT") // BINPUT
            case 0x72: memo[try littleEndian(4, "LONG_BINPUT")] = try top("LONG_BINPUT") // LONG_BINPUT
            case 0x68, 0x6A: // BINGET, LONG_BINGET
                let key = try littleEndian(op == 0x68 ? 1 : 4, "BINGET")
                guard let v = memo[key] else { throw error("memo entry \(key) was never stored", at: at) }
                stack.append(v)
            case 0x51: stack.append(.persistent(try pop("BINPERSID"))) // BINPERSID
            case 0x52: // REDUCE
                let args = try pop("REDUCE"), callable = try pop("REDUCE")
                guard case .global(let module, let name) = callable, case .tuple(let arguments) = args else {
                    throw error("REDUCE of a \(callable.kind) with \(args.kind) arguments", at: at)
                }
                if module == "collections", name == "OrderedDict", arguments.isEmpty {
                    stack.append(.dict(PickleDict()))
                } else {
                    stack.append(.call(module: module, name: name, arguments: arguments))
                }
            case 0x62: // BUILD: the state of the object below it; read and dropped
                _ = try pop("BUILD")
                _ = try top("BUILD")
            default:
                throw error("opcode 0x\(String(op, radix: 16)) is not supported in a checkpoint", at: at)
            }
        }
    }
}
