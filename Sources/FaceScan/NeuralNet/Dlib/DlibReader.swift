/// A bounds-checked reader of dlib's serialization format (`dlib/serialize.h`, `dlib/float_details.h`,
/// `dlib/cuda/tensor.h`), the format of dlib's `.dat` model files.
///
/// The primitives, as dlib writes them:
/// - **integers**: a control byte whose low 4 bits give the number N (1–8) of little-endian magnitude
///   bytes that follow; for signed types bit 0x80 marks a negative value. N may not exceed the size of
///   the C++ type read (`int` 4, `long` and `unsigned long` 8, `int16` 2);
/// - **bool**: the ASCII byte `'1'` or `'0'`; **string**: a packed length and the raw bytes;
/// - **float / double**: a packed `int64` mantissa and a packed `int16` exponent, value = mantissa·2^exponent
///   (exponents 32000, 32001, 32002 mean +∞, −∞, NaN). dlib's older ASCII float format is rejected;
/// - **dlib::matrix**: packed −rows and −columns, then the elements row by row;
/// - **DNN tensors**: version 2, packed sample count, k, rows, columns, then raw little-endian IEEE
///   float32 values; **alias tensors** (views into a layer's parameters): version 1 and the four sizes.
///
/// Every read checks that its bytes lie before the end of the file, every count is checked against the
/// bytes left *before* anything is allocated, and every error is a `ModelError` that names what was being
/// read and the offset. The reader never traps on bad input.
struct DlibReader {
    let bytes: [UInt8]
    let file: String
    /// Offset of the next byte to read.
    private(set) var offset = 0

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    /// Bytes not yet read.
    var remaining: Int { bytes.count - offset }

    /// A `ModelError` for this file, prefixed with the offset (the current one unless given).
    func error(_ message: String, at position: Int? = nil) -> ModelError {
        ModelError(file: file, message: "at offset \(position ?? offset): \(message)")
    }

    /// Throws unless `count` more bytes can be read.
    func need(_ count: Int, _ what: @autoclosure () -> String) throws {
        guard count >= 0, count <= remaining else {
            throw error("\(what()) needs \(count) bytes but the file ends after \(remaining) more (file size \(bytes.count))")
        }
    }

    mutating func byte(_ what: @autoclosure () -> String) throws -> UInt8 {
        try need(1, what())
        defer { offset += 1 }
        return bytes[offset]
    }

    /// A packed signed integer of a C++ type `typeSize` bytes wide (dlib's `unpack_int` for signed types:
    /// the control byte's bits 0x70 are ignored, bit 0x80 is the sign).
    mutating func signed(_ what: @autoclosure () -> String, typeSize: Int = 8) throws -> Int64 {
        let start = offset
        let control = try byte(what())
        let n = Int(control & 0x0F)
        guard n >= 1, n <= typeSize else {
            throw error("\(what()): integer control byte 0x\(String(control, radix: 16)) gives \(n) bytes; 1–\(typeSize) expected", at: start)
        }
        try need(n, what())
        var magnitude: UInt64 = 0
        for i in (0..<n).reversed() { magnitude = magnitude << 8 | UInt64(bytes[offset + i]) }
        offset += n
        // dlib accumulates into the signed type itself: values beyond its range are malformed.
        let limit: UInt64 = typeSize >= 8 ? UInt64(Int64.max) : (UInt64(1) << UInt64(8 * typeSize - 1)) - 1
        guard magnitude <= limit else {
            throw error("\(what()): integer magnitude \(magnitude) does not fit in \(typeSize) bytes", at: start)
        }
        let value = Int64(magnitude)
        return control & 0x80 != 0 ? -value : value
    }

    /// A packed unsigned integer of a C++ type `typeSize` bytes wide (dlib's `unpack_int` for unsigned
    /// types: bits 0x70 of the control byte are ignored, a sign bit makes it invalid).
    mutating func unsigned(_ what: @autoclosure () -> String, typeSize: Int = 8) throws -> UInt64 {
        let start = offset
        let control = try byte(what())
        let n = Int(control & 0x8F)
        guard n >= 1, n <= typeSize else {
            throw error("\(what()): unsigned integer control byte 0x\(String(control, radix: 16)) is invalid", at: start)
        }
        try need(n, what())
        var value: UInt64 = 0
        for i in (0..<n).reversed() { value = value << 8 | UInt64(bytes[offset + i]) }
        offset += n
        return value
    }

    /// A C++ `int` (4 bytes).
    mutating func int(_ what: @autoclosure () -> String) throws -> Int {
        Int(try signed(what(), typeSize: 4))
    }

    /// A C++ `long` (8 bytes on the LP64 platforms facescan runs on).
    mutating func long(_ what: @autoclosure () -> String) throws -> Int {
        Int(try signed(what(), typeSize: 8))
    }

    /// A C++ `unsigned long` / `size_t`, as an `Int` (values above `Int.max` are malformed).
    mutating func unsignedLong(_ what: @autoclosure () -> String) throws -> Int {
        let start = offset
        let v = try unsigned(what(), typeSize: 8)
        guard v <= UInt64(Int.max) else { throw error("\(what()): value \(v) is too large", at: start) }
        return Int(v)
    }

    /// Reads an `int` and throws unless it equals `expected` (version tags, modes).
    mutating func expectInt(_ expected: Int, _ what: @autoclosure () -> String) throws {
        let start = offset
        let found = try int(what())
        guard found == expected else { throw error("\(what()) is \(found), expected \(expected)", at: start) }
    }

    /// A bool: the ASCII byte '1' or '0'.
    mutating func bool(_ what: @autoclosure () -> String) throws -> Bool {
        let start = offset
        switch try byte(what()) {
        case UInt8(ascii: "1"): return true
        case UInt8(ascii: "0"): return false
        case let b: throw error("\(what()): bool byte is 0x\(String(b, radix: 16)), expected '0' or '1'", at: start)
        }
    }

    /// A string (packed length, then bytes); lengths above `maxLength` are malformed.
    mutating func string(_ what: @autoclosure () -> String, maxLength: Int = 1024) throws -> String {
        let start = offset
        let n = try unsignedLong("\(what()) length")
        guard n <= maxLength else { throw error("\(what()): string length \(n) exceeds \(maxLength)", at: start) }
        try need(n, what())
        defer { offset += n }
        return String(decoding: bytes[offset..<(offset + n)], as: UTF8.self)
    }

    /// Reads a string and throws unless it is `expected` (dlib's layer version strings).
    mutating func expectString(_ expected: String, _ what: @autoclosure () -> String) throws {
        let start = offset
        let found = try string(what(), maxLength: 256)
        guard found == expected else {
            throw error("\(what()) is \"\(found.prefix(64))\", expected \"\(expected)\"", at: start)
        }
    }

    /// dlib's portable float encoding as (mantissa, exponent); nil mantissa for ±∞ / NaN.
    private mutating func floatDetails(_ what: @autoclosure () -> String) throws -> (mantissa: Int64, exponent: Int, special: Double?) {
        let start = offset
        let first = try byte(what())
        offset = start
        guard first & 0x70 == 0 else {
            throw error("\(what()) uses dlib's old ASCII float format, which is not supported", at: start)
        }
        let mantissa = try signed("\(what()) mantissa", typeSize: 8)
        let exponent = Int(try signed("\(what()) exponent", typeSize: 2))
        switch exponent {
        case 32000: return (0, 0, .infinity)
        case 32001: return (0, 0, -.infinity)
        case 32002...: return (0, 0, .nan)
        default: return (mantissa, exponent, nil)
        }
    }

    /// A `float` (converted as dlib does: the mantissa to float, then scaled by 2^exponent).
    mutating func float(_ what: @autoclosure () -> String) throws -> Float {
        let d = try floatDetails(what())
        if let s = d.special { return Float(s) }
        return Float(sign: .plus, exponent: d.exponent, significand: Float(d.mantissa))
    }

    /// A `double`.
    mutating func double(_ what: @autoclosure () -> String) throws -> Double {
        let d = try floatDetails(what())
        if let s = d.special { return s }
        return Double(sign: .plus, exponent: d.exponent, significand: Double(d.mantissa))
    }

    /// A finite `float`.
    mutating func finiteFloat(_ what: @autoclosure () -> String) throws -> Float {
        let start = offset
        let v = try float(what())
        guard v.isFinite else { throw error("\(what()) is \(v); a finite value is required", at: start) }
        return v
    }

    /// An element count (of a `std::vector` or similar) whose elements take at least `minBytes` each,
    /// checked against the bytes left before anything is allocated.
    mutating func count(_ what: @autoclosure () -> String, minBytes: Int) throws -> Int {
        let start = offset
        let n = try unsignedLong("\(what()) count")
        guard n <= remaining / max(minBytes, 1) else {
            throw error("\(what()): \(n) elements of at least \(minBytes) bytes cannot fit in the \(remaining) bytes left", at: start)
        }
        return n
    }

    /// A `dlib::matrix<float>` (negative sizes mean the current format; positive ones are accepted as
    /// dlib does). Returns rows, columns and the elements row by row.
    mutating func floatMatrix(_ what: @autoclosure () -> String) throws -> (rows: Int, columns: Int, values: [Float]) {
        let start = offset
        let r = try long("\(what()) rows"), c = try long("\(what()) columns")
        let rows = abs(r), columns = abs(c)
        guard (r <= 0) == (c <= 0) || r == 0 || c == 0 else {
            throw error("\(what()): matrix sizes \(r)×\(c) mix the old and new formats", at: start)
        }
        let (n, overflow) = rows.multipliedReportingOverflow(by: columns)
        // Each float takes at least 4 bytes (2 for the mantissa, 2 for the exponent).
        guard !overflow, n <= remaining / 4 else {
            throw error("\(what()): a \(rows)×\(columns) matrix cannot fit in the \(remaining) bytes left", at: start)
        }
        var values = [Float]()
        values.reserveCapacity(n)
        for i in 0..<n { values.append(try finiteFloat("\(what()) element \(i)")) }
        return (rows, columns, values)
    }

    /// Four packed `long long` sizes (num_samples, k, nr, nc), each ≥ 0, and their product.
    private mutating func tensorShape(_ what: @autoclosure () -> String) throws -> (shape: [Int], count: Int) {
        let start = offset
        var shape: [Int] = []
        for name in ["num_samples", "k", "nr", "nc"] {
            let v = try long("\(what()) \(name)")
            guard v >= 0 else { throw error("\(what()): \(name) is \(v)", at: start) }
            shape.append(v)
        }
        var n = 1
        for d in shape {
            let (p, o) = n.multipliedReportingOverflow(by: d)
            guard !o, p <= 1 << 40 else { throw error("\(what()): tensor shape \(shape) is too large", at: start) }
            n = p
        }
        return (shape, n)
    }

    /// A DNN `resizable_tensor`: version 2, the shape `[num_samples, k, nr, nc]`, then raw float32 data.
    mutating func tensor(_ what: @autoclosure () -> String) throws -> (shape: [Int], values: [Float]) {
        try expectInt(2, "\(what()) tensor version")
        let start = offset
        let (shape, n) = try tensorShape(what())
        guard n <= remaining / 4 else {
            throw error("\(what()): tensor \(shape) needs \(n * 4) bytes of data, only \(remaining) are left", at: start)
        }
        var values = [Float](repeating: 0, count: n)
        for i in 0..<n {
            let p = offset + 4 * i
            let bits = UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8 | UInt32(bytes[p + 2]) << 16 | UInt32(bytes[p + 3]) << 24
            values[i] = Float(bitPattern: bits)
        }
        offset += 4 * n
        return (shape, values)
    }

    /// A tensor whose data is not used (a layer's training state): read and checked, not kept.
    mutating func skipTensor(_ what: @autoclosure () -> String) throws {
        try expectInt(2, "\(what()) tensor version")
        let start = offset
        let (shape, n) = try tensorShape(what())
        guard n <= remaining / 4 else {
            throw error("\(what()): tensor \(shape) needs \(n * 4) bytes of data, only \(remaining) are left", at: start)
        }
        offset += 4 * n
    }

    /// An `alias_tensor` (a view into a layer's parameters): version 1 and its shape.
    mutating func aliasTensor(_ what: @autoclosure () -> String) throws -> [Int] {
        try expectInt(1, "\(what()) alias tensor version")
        return try tensorShape(what()).shape
    }

    /// Throws unless every byte of the file has been read.
    func expectEnd(_ what: String) throws {
        guard remaining == 0 else {
            throw error("\(remaining) bytes follow the end of the \(what) (file size \(bytes.count))")
        }
    }
}
