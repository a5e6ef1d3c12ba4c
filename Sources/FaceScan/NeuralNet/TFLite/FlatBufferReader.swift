/// A bounds-checked reader of FlatBuffers binary data (the container format of `.tflite` files).
///
/// Every read checks its offset and length against the file size; every table checks its vtable;
/// every vector checks that its elements fit in the bytes that remain before any element is read.
/// Nothing is trusted from the file: a bad offset is a thrown `ModelError` naming what was being read.
struct FlatBufferReader {
    let bytes: [UInt8]
    let file: String

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    var size: Int { bytes.count }

    func error(_ message: String) -> ModelError { ModelError(file: file, message: message) }

    /// Throws unless `[offset, offset + length)` lies inside the file.
    func checkRange(_ offset: Int, _ length: Int, _ what: @autoclosure () -> String) throws {
        guard offset >= 0, length >= 0, offset <= size, length <= size - offset else {
            throw error("\(what()) at offset \(offset) (\(length) bytes) runs past the end of the file (\(size) bytes)")
        }
    }

    func u8(_ offset: Int, _ what: @autoclosure () -> String) throws -> UInt8 {
        try checkRange(offset, 1, what())
        return bytes[offset]
    }

    func u16(_ offset: Int, _ what: @autoclosure () -> String) throws -> UInt16 {
        try checkRange(offset, 2, what())
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    func u32(_ offset: Int, _ what: @autoclosure () -> String) throws -> UInt32 {
        try checkRange(offset, 4, what())
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[offset + i]) << (8 * UInt32(i)) }
        return v
    }

    func i32(_ offset: Int, _ what: @autoclosure () -> String) throws -> Int32 {
        Int32(bitPattern: try u32(offset, what()))
    }

    func u64(_ offset: Int, _ what: @autoclosure () -> String) throws -> UInt64 {
        let lo = try u32(offset, what()), hi = try u32(offset + 4, what())
        return UInt64(lo) | UInt64(hi) << 32
    }

    /// Follows the unsigned 32-bit offset stored at `offset` (FlatBuffers `uoffset_t`, relative to itself).
    func follow(_ offset: Int, _ what: @autoclosure () -> String) throws -> Int {
        let target = offset + Int(try u32(offset, what()))
        guard target < size else {
            throw error("\(what()): offset at \(offset) points to \(target), past the end of the file (\(size) bytes)")
        }
        return target
    }

    /// The root table: the first four bytes hold its offset; `identifier` (e.g. "TFL3") must follow.
    func root(identifier: String) throws -> FlatTable {
        guard size >= 8 else {
            throw error("file is \(size) bytes, too short to be a FlatBuffer (needs at least 8)")
        }
        let ident = Array(identifier.utf8)
        let found = Array(bytes[4..<8])
        guard found == ident else {
            let shown = found.map { (32..<127).contains($0) ? String(UnicodeScalar($0)) : "\\x" + String($0, radix: 16) }.joined()
            throw error("file identifier is \"\(shown)\", expected \"\(identifier)\" (not a TFLite model)")
        }
        return try table(at: try follow(0, "root table offset"), "root table")
    }

    /// The table that starts at `position`, with its vtable checked.
    func table(at position: Int, _ what: @autoclosure () -> String) throws -> FlatTable {
        let soffset = Int(try i32(position, "\(what()) vtable offset"))
        let vtable = position - soffset
        guard vtable >= 0, vtable <= size - 4 else {
            throw error("\(what()) at offset \(position): vtable offset \(soffset) points outside the file")
        }
        let vtableLength = Int(try u16(vtable, "\(what()) vtable size"))
        let tableLength = Int(try u16(vtable + 2, "\(what()) table size"))
        guard vtableLength >= 4, vtableLength % 2 == 0 else {
            throw error("\(what()) at offset \(position): invalid vtable size \(vtableLength)")
        }
        try checkRange(vtable, vtableLength, "\(what()) vtable")
        guard tableLength >= 4 else {
            throw error("\(what()) at offset \(position): invalid table size \(tableLength)")
        }
        try checkRange(position, tableLength, what())
        return FlatTable(reader: self, position: position, vtable: vtable,
                         fieldCount: (vtableLength - 4) / 2, length: tableLength, name: what())
    }
}

/// One table of a FlatBuffer; fields are looked up by their schema index (0-based, in declaration order,
/// unions taking two slots: the type byte and the value).
struct FlatTable {
    let reader: FlatBufferReader
    let position: Int
    let vtable: Int
    let fieldCount: Int
    let length: Int
    let name: String

    /// Absolute position of field `id`, or nil when absent; throws when the field would lie outside the table.
    func fieldPosition(_ id: Int, width: Int) throws -> Int? {
        guard id < fieldCount else { return nil }
        let rel = Int(try reader.u16(vtable + 4 + 2 * id, "\(name) vtable entry \(id)"))
        if rel == 0 { return nil }
        guard rel + width <= length else {
            throw reader.error("\(name) at offset \(position): field \(id) at +\(rel) (\(width) bytes) lies outside the table (\(length) bytes)")
        }
        return position + rel
    }

    func u8(_ id: Int, default value: UInt8 = 0) throws -> UInt8 {
        guard let p = try fieldPosition(id, width: 1) else { return value }
        return try reader.u8(p, "\(name) field \(id)")
    }

    func i8(_ id: Int, default value: Int8 = 0) throws -> Int8 {
        Int8(bitPattern: try u8(id, default: UInt8(bitPattern: value)))
    }

    func bool(_ id: Int, default value: Bool = false) throws -> Bool {
        try u8(id, default: value ? 1 : 0) != 0
    }

    func i32(_ id: Int, default value: Int32 = 0) throws -> Int32 {
        guard let p = try fieldPosition(id, width: 4) else { return value }
        return try reader.i32(p, "\(name) field \(id)")
    }

    func u32(_ id: Int, default value: UInt32 = 0) throws -> UInt32 {
        guard let p = try fieldPosition(id, width: 4) else { return value }
        return try reader.u32(p, "\(name) field \(id)")
    }

    func u64(_ id: Int, default value: UInt64 = 0) throws -> UInt64 {
        guard let p = try fieldPosition(id, width: 8) else { return value }
        return try reader.u64(p, "\(name) field \(id)")
    }

    /// The sub-table referenced by field `id`, or nil when absent.
    func table(_ id: Int, _ what: String) throws -> FlatTable? {
        guard let p = try fieldPosition(id, width: 4) else { return nil }
        return try reader.table(at: try reader.follow(p, "\(name).\(what)"), "\(name).\(what)")
    }

    /// The vector referenced by field `id` whose elements are `elementSize` bytes, or nil when absent.
    func vector(_ id: Int, elementSize: Int, _ what: String) throws -> FlatVector? {
        guard let p = try fieldPosition(id, width: 4) else { return nil }
        let start = try reader.follow(p, "\(name).\(what)")
        let count = Int(try reader.u32(start, "\(name).\(what) length"))
        let available = reader.size - (start + 4)
        guard available >= 0, count <= available / elementSize else {
            throw reader.error("\(name).\(what): vector of \(count) elements of \(elementSize) bytes at offset \(start) runs past the end of the file (\(reader.size) bytes)")
        }
        return FlatVector(reader: reader, start: start + 4, count: count, elementSize: elementSize, name: "\(name).\(what)")
    }

    func string(_ id: Int, _ what: String) throws -> String? {
        guard let v = try vector(id, elementSize: 1, what) else { return nil }
        return String(decoding: reader.bytes[v.start..<(v.start + v.count)], as: UTF8.self)
    }

    /// A vector of int32 as `[Int]`, or nil when absent.
    func int32s(_ id: Int, _ what: String) throws -> [Int]? {
        guard let v = try vector(id, elementSize: 4, what) else { return nil }
        return try (0..<v.count).map { Int(try v.i32($0)) }
    }
}

/// A vector inside a FlatBuffer whose extent has been checked against the file.
struct FlatVector {
    let reader: FlatBufferReader
    /// Position of the first element.
    let start: Int
    let count: Int
    let elementSize: Int
    let name: String

    func i32(_ i: Int) throws -> Int32 { try reader.i32(start + 4 * i, "\(name)[\(i)]") }
    func u16(_ i: Int) throws -> UInt16 { try reader.u16(start + 2 * i, "\(name)[\(i)]") }
    func u8(_ i: Int) throws -> UInt8 { try reader.u8(start + i, "\(name)[\(i)]") }

    /// Element `i` of a vector of tables.
    func table(_ i: Int) throws -> FlatTable {
        let p = start + 4 * i
        return try reader.table(at: try reader.follow(p, "\(name)[\(i)]"), "\(name)[\(i)]")
    }

    /// The raw bytes of the vector (count × elementSize bytes).
    var byteRange: Range<Int> { start..<(start + count * elementSize) }
}
