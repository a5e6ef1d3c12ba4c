import FaceScan

/// What a running command may use besides its arguments.
public struct CommandContext {
    /// `--quiet`: no progress and no warnings on stderr.
    public let quiet: Bool
    /// A warning for stderr, printed once the command has succeeded (dropped if it fails); silent when quiet.
    public let warn: (String) -> Void
    /// Progress display on stderr; nil when stderr is not a terminal or when quiet.
    public let progress: ProgressLine?
    /// Writes one document on stdout at once, compact on one line (streamed output, `--output jsonl`);
    /// throws InternalServerError when stdout cannot be written.
    public let emit: (JSON) throws -> Void
    /// Writes bytes on stdout as they are (a document rendered elsewhere).
    public let emitBytes: ([UInt8]) throws -> Void
}

/// One command of the tool, declared once: parsing, `--help`, the man page and README tests read it.
public struct CommandSpec {
    public let name: String
    /// One line for the command list.
    public let summary: String
    /// Paragraphs for `--help` and the man page.
    public let details: String
    public let positionals: [PositionalSpec]
    public let options: [OptionSpec]
    /// Example invocations (shell lines) for help and the man page.
    public let examples: [String]
    /// Cross-option checks after each value is valid on its own; returns a problem or nil.
    public let validate: ((ParsedArguments) -> String?)?
    /// Runs the command; returns the document for stdout, or nil when it wrote its output with `emit`.
    public let run: (ParsedArguments, CommandContext) throws -> JSON?

    public init(name: String, summary: String, details: String, positionals: [PositionalSpec] = [], options: [OptionSpec] = [],
                examples: [String] = [], validate: ((ParsedArguments) -> String?)? = nil,
                run: @escaping (ParsedArguments, CommandContext) throws -> JSON?) {
        self.name = name
        self.summary = summary
        self.details = details
        self.positionals = positionals
        self.options = options
        self.examples = examples
        self.validate = validate
        self.run = run
    }

    func option(named name: String) -> OptionSpec? {
        options.first { $0.name == name || (name.count == 1 && $0.short == name.first) }
    }

    /// `facescan detect [OPTIONS] FILE`
    public var usage: String {
        var parts = ["facescan", name]
        if !options.isEmpty { parts.append("[OPTIONS]") }
        for p in positionals { parts.append(p.optional ? "[\(p.name)]" : p.name) }
        return parts.joined(separator: " ")
    }
}
