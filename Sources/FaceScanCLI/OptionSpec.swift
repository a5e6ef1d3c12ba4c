/// What an option's value must be. The parser checks it, so commands only see valid values.
public enum ValueKind: Sendable {
    /// No value: the option's presence is the value.
    case flag
    /// A whole number in the range (inclusive; nil bound = unbounded).
    case integer(min: Int?, max: Int?)
    /// A number in the range (inclusive; nil bound = unbounded).
    case number(min: Double?, max: Double?)
    /// One of the listed words (matched exactly; listed in help and errors).
    case choice([String])
    /// Any non-empty text matching `pattern` (a description of what is accepted is given).
    case text(accepts: String, valid: @Sendable (String) -> Bool)
    /// A file or directory path (any non-empty text).
    case path

    /// A phrase for help and error messages: what the option accepts.
    var accepts: String {
        switch self {
        case .flag: return "no value"
        case .integer(let lo, let hi): return "a whole number" + Self.range(lo.map(Double.init), hi.map(Double.init))
        case .number(let lo, let hi): return "a number" + Self.range(lo, hi)
        case .choice(let words): return "one of " + words.joined(separator: ", ")
        case .text(let accepts, _): return accepts
        case .path: return "a path"
        }
    }

    private static func range(_ lo: Double?, _ hi: Double?) -> String {
        func f(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }
        switch (lo, hi) {
        case let (l?, h?): return " from \(f(l)) to \(f(h))"
        case let (l?, nil): return " of at least \(f(l))"
        case let (nil, h?): return " of at most \(f(h))"
        default: return ""
        }
    }
}

/// One option of a command: its long name, value, help and the API parameter it stands for.
public struct OptionSpec: Sendable {
    public let name: String
    public let short: Character?
    public let kind: ValueKind
    public let valueName: String
    public let help: String
    /// The Rekognition request parameter this option sets, if any (e.g. "MaxResults").
    public let apiName: String?
    public let defaultText: String?
    /// The command cannot run without it.
    public let required: Bool
    /// An empty value is the same as not giving the option (NextToken: the AWS SDKs' examples start
    /// their Get loops with an empty token, which the service reads as "the first page").
    public let emptyMeansAbsent: Bool

    public init(_ name: String, short: Character? = nil, _ kind: ValueKind, valueName: String = "", api: String? = nil,
                default defaultText: String? = nil, required: Bool = false, emptyMeansAbsent: Bool = false, help: String) {
        self.required = required
        self.emptyMeansAbsent = emptyMeansAbsent
        self.name = name
        self.short = short
        self.kind = kind
        self.valueName = valueName
        self.help = help
        self.apiName = api
        self.defaultText = defaultText
    }

    var takesValue: Bool { if case .flag = kind { return false }; return true }

    /// `--name VALUE` or `--name`.
    var synopsis: String { takesValue ? "--\(name) \(valueName)" : "--\(name)" }

    /// Checks a value against the option's kind; returns an error message or nil.
    func validate(_ value: String) -> String? {
        let bad = "--\(name) accepts \(kind.accepts), not \"\(value)\""
        switch kind {
        case .flag: return nil
        case .integer(let lo, let hi):
            guard let v = Int(value) else { return bad }
            if let lo, v < lo { return bad }
            if let hi, v > hi { return bad }
            return nil
        case .number(let lo, let hi):
            guard let v = Double(value), v.isFinite else { return bad }
            if let lo, v < lo { return bad }
            if let hi, v > hi { return bad }
            return nil
        case .choice(let words):
            return words.contains(value) ? nil : bad
        case .text(_, let valid):
            return !value.isEmpty && valid(value) ? nil : bad
        case .path:
            return value.isEmpty ? "--\(name) needs a non-empty path" : nil
        }
    }
}

/// A positional argument of a command.
public struct PositionalSpec: Sendable {
    public let name: String
    public let help: String
    public let optional: Bool
    public init(_ name: String, optional: Bool = false, help: String) {
        self.name = name
        self.help = help
        self.optional = optional
    }
}
