import FaceScan

/// A command line after parsing and validation: the command, its options' values, its positionals.
public struct ParsedArguments {
    public let command: CommandSpec
    public private(set) var values: [String: String] = [:]
    public private(set) var positionals: [String] = []
    public var wantsHelp = false

    init(command: CommandSpec) { self.command = command }

    public func has(_ name: String) -> Bool { values[name] != nil }
    public func string(_ name: String) -> String? { values[name] }
    public func int(_ name: String) -> Int? { values[name].flatMap { Int($0) } }
    public func double(_ name: String) -> Double? { values[name].flatMap { Double($0) } }

    mutating func set(_ name: String, _ value: String) { values[name] = value }
    mutating func append(_ positional: String) { positionals.append(positional) }
}

/// The result of parsing the whole command line.
public enum Invocation {
    case run(ParsedArguments, quiet: Bool)
    case help(CommandSpec?)
    case version
    /// `facescan help --man`: the manual page in roff.
    case manual
}

/// The hand-written parser: `facescan [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]`.
///
/// Long options as `--opt value` or `--opt=value`, `--` ends options, `-h`/`--help` anywhere asks for
/// help, global options (`--quiet`, `--version`, `--help`) may stand before or after the command.
/// Every mistake is an `InvalidParameterException` naming the option and what it accepts.
public struct ArgumentParser {
    public let table: [CommandSpec]

    public init(table: [CommandSpec] = CommandTable.all) { self.table = table }

    public func parse(_ arguments: [String]) throws -> Invocation {
        var args = arguments[...]
        var quiet = false
        // Global options before the command.
        while let first = args.first, first.hasPrefix("-") {
            switch first {
            case "--help", "-h": return .help(nil)
            case "--version", "-V": return .version
            case "--quiet", "-q": quiet = true; args.removeFirst()
            default:
                throw APIError.invalidParameter("unknown option \(first) before the command; " + suggestion(first, among: ["--help", "--version", "--quiet"]) + "see `facescan --help`")
            }
        }
        guard let name = args.popFirst() else {
            throw APIError.invalidParameter("no command given; see `facescan --help` for the commands")
        }
        if name == "help" {
            if args.first == "--man" { return .manual }
            if let topic = args.first {
                guard let spec = table.first(where: { $0.name == topic }) else {
                    throw APIError.invalidParameter("unknown command \"\(topic)\"; " + suggestion(topic, among: table.map(\.name)) + "see `facescan --help`")
                }
                return .help(spec)
            }
            return .help(nil)
        }
        guard let spec = table.first(where: { $0.name == name }) else {
            throw APIError.invalidParameter("unknown command \"\(name)\"; " + suggestion(name, among: table.map(\.name)) + "see `facescan --help`")
        }
        var parsed = ParsedArguments(command: spec)
        var optionsEnded = false
        while let token = args.popFirst() {
            if optionsEnded || !token.hasPrefix("-") || token == "-" {
                parsed.append(token)
                continue
            }
            if token == "--" { optionsEnded = true; continue }
            if token == "--help" || token == "-h" { return .help(spec) }
            if token == "--quiet" || token == "-q" { quiet = true; continue }
            if token == "--version" || token == "-V" { return .version }
            let (optName, inlineValue) = split(token)
            guard let option = spec.option(named: optName) else {
                let known = spec.options.map { "--" + $0.name } + ["--help", "--quiet"]
                throw APIError.invalidParameter("unknown option \(token.split(separator: "=").first.map(String.init) ?? token) for `facescan \(spec.name)`; " + suggestion(optName, among: known) + "see `facescan \(spec.name) --help`")
            }
            if parsed.has(option.name) {
                throw APIError.invalidParameter("--\(option.name) is given more than once")
            }
            if option.takesValue {
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else if let next = args.popFirst() {
                    // A value may itself start with "-" (e.g. a negative number) but not be an option name.
                    if next.hasPrefix("--") && spec.option(named: split(next).0) != nil || next == "--" {
                        throw APIError.invalidParameter("--\(option.name) needs a value (\(option.kind.accepts))")
                    }
                    value = next
                } else {
                    throw APIError.invalidParameter("--\(option.name) needs a value (\(option.kind.accepts))")
                }
                if value.isEmpty && option.emptyMeansAbsent { continue }
                if let problem = option.validate(value) { throw APIError.invalidParameter(problem) }
                parsed.set(option.name, value)
            } else {
                if inlineValue != nil { throw APIError.invalidParameter("--\(option.name) takes no value") }
                parsed.set(option.name, "true")
            }
        }
        let required = spec.positionals.filter { !$0.optional }.count
        if parsed.positionals.count < required {
            let missing = spec.positionals[parsed.positionals.count]
            throw APIError.invalidParameter("`facescan \(spec.name)` needs \(missing.name); usage: \(spec.usage)")
        }
        if parsed.positionals.count > spec.positionals.count {
            let extra = parsed.positionals[spec.positionals.count]
            throw APIError.invalidParameter("unexpected argument \"\(extra)\" for `facescan \(spec.name)`; usage: \(spec.usage)")
        }
        for (i, value) in parsed.positionals.enumerated() where value.isEmpty {
            throw APIError.invalidParameter("\(spec.positionals[i].name) must not be empty")
        }
        for option in spec.options where option.required && !parsed.has(option.name) {
            throw APIError.invalidParameter("`facescan \(spec.name)` needs --\(option.name) \(option.valueName)")
        }
        if let validate = spec.validate, let problem = validate(parsed) {
            throw APIError.invalidParameter(problem)
        }
        return .run(parsed, quiet: quiet)
    }

    /// "--name=value" → ("name", "value"); "--name" → ("name", nil); "-x" → short option name.
    private func split(_ token: String) -> (String, String?) {
        if token.hasPrefix("--") {
            let body = token.dropFirst(2)
            if let eq = body.firstIndex(of: "=") {
                return (String(body[..<eq]), String(body[body.index(after: eq)...]))
            }
            return (String(body), nil)
        }
        return (String(token.dropFirst()), nil)
    }

    /// "did you mean --max-results? " when a known word is close, else "".
    func suggestion(_ word: String, among candidates: [String]) -> String {
        let bare = word.droppingDashes
        let best = candidates.map { ($0, editDistance(bare, $0.droppingDashes)) }.min { $0.1 < $1.1 }
        guard let best, best.1 <= max(2, bare.count / 3) else { return "" }
        return "did you mean \(best.0)? "
    }
}

extension String {
    var droppingDashes: String { String(drop { $0 == "-" }) }
}

/// Levenshtein distance, for suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count)
    for i in 1...a.count {
        var cur = [i] + [Int](repeating: 0, count: b.count)
        for j in 1...b.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        prev = cur
    }
    return prev[b.count]
}
