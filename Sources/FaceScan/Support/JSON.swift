/// A JSON value whose objects keep their keys in the order they were written, so responses print
/// in the order Rekognition documents them (Foundation's JSONEncoder orders keys at random).
public indirect enum JSON: Equatable, Sendable {
    case object([(String, JSON)])
    case array([JSON])
    case string(String)
    /// A 32-bit float printed in its shortest round-tripping form (API `Float` fields).
    case float(Float)
    case double(Double)
    case integer(Int64)
    case bool(Bool)
    case null

    public static func == (a: JSON, b: JSON) -> Bool { a.rendered() == b.rendered() }

    /// The members of an object, or nil.
    public var members: [(String, JSON)]? { if case .object(let m) = self { return m }; return nil }

    /// A number's value (integer, double or float), or nil for anything else.
    public var number: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .double(let d): return d
        case .float(let f): return Double(f)
        default: return nil
        }
    }

    /// The value of `key` in an object, or nil.
    public subscript(key: String) -> JSON? { members?.first { $0.0 == key }?.1 }

    /// Serialises; `pretty` indents with two spaces per level (one value per line), starting at
    /// `depth` levels (for a value written inside a larger document).
    public func rendered(pretty: Bool = false, depth: Int = 0) -> String {
        var out = ""
        write(into: &out, pretty: pretty, depth: depth)
        return out
    }

    private func write(into out: inout String, pretty: Bool, depth: Int) {
        switch self {
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{"
            for (i, (k, v)) in members.enumerated() {
                if i > 0 { out += "," }
                if pretty { out += "\n"; out += String(repeating: "  ", count: depth + 1) }
                JSON.writeString(k, into: &out)
                out += pretty ? ": " : ":"
                v.write(into: &out, pretty: pretty, depth: depth + 1)
            }
            if pretty { out += "\n"; out += String(repeating: "  ", count: depth) }
            out += "}"
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, v) in items.enumerated() {
                if i > 0 { out += "," }
                if pretty { out += "\n"; out += String(repeating: "  ", count: depth + 1) }
                v.write(into: &out, pretty: pretty, depth: depth + 1)
            }
            if pretty { out += "\n"; out += String(repeating: "  ", count: depth) }
            out += "]"
        case .string(let s): JSON.writeString(s, into: &out)
        case .float(let f): out += f.isFinite ? JSON.trimmed(f.description) : "null"
        case .double(let d): out += d.isFinite ? JSON.trimmed(d.description) : "null"
        case .integer(let i): out += String(i)
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        }
    }

    /// "12.0" → "12"; exponents are kept (JSON accepts "1e-05").
    private static func trimmed(_ s: String) -> String {
        s.hasSuffix(".0") ? String(s.dropLast(2)) : s
    }

    private static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }
}

/// A type printed as a Rekognition JSON shape.
public protocol JSONRepresentable {
    var json: JSON { get }
}

extension JSON {
    /// Builds an object from optional members, leaving out the nil ones (absent keys, as the API does).
    public static func members(_ pairs: [(String, JSON?)]) -> JSON {
        .object(pairs.compactMap { k, v in v.map { (k, $0) } })
    }
}
