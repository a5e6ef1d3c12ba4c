import FaceScan

/// Renders `--help` text from the command table.
enum Help {
    static let tagline = "local face analysis that prints Amazon Rekognition Video's JSON"

    static func general(_ table: [CommandSpec]) -> String {
        var out = "facescan \(FaceScanVersion.string): \(tagline)\n\n"
        out += "USAGE: facescan [--quiet] COMMAND [OPTIONS] [ARGS]\n\nCOMMANDS:\n"
        let width = (table.map(\.name.count).max() ?? 8) + 2
        for c in table {
            out += "  " + c.name.padding(toLength: width, withPad: " ", startingAt: 0) + c.summary + "\n"
        }
        out += "  " + "help".padding(toLength: width, withPad: " ", startingAt: 0) + "Show help for a command (same as COMMAND --help).\n"
        out += "\nGLOBAL OPTIONS:\n" + optionLines(CommandTable.globalOptions)
        out += "\nEXIT STATUS:\n  0   success (finding no face is a success)\n"
        for k in APIError.Kind.allCases.sorted(by: { $0.exitCode < $1.exitCode }) {
            out += "  \(k.exitCode)".padding(toLength: 6, withPad: " ", startingAt: 0) + k.rawValue + "\n"
        }
        out += "\nErrors are one JSON object on stderr: {\"__type\": NAME, \"Message\": TEXT}; stdout stays empty.\n"
        out += "Run `facescan COMMAND --help` for a command's options; `man facescan` for the manual.\n"
        return out
    }

    static func command(_ c: CommandSpec) -> String {
        var out = "\(c.usage)\n\n\(c.summary)\n\n\(wrap(c.details, indent: ""))\n"
        if !c.positionals.isEmpty {
            out += "\nARGUMENTS:\n"
            for p in c.positionals { out += "  " + p.name.padding(toLength: 24, withPad: " ", startingAt: 0) + p.help + "\n" }
        }
        if !c.options.isEmpty { out += "\nOPTIONS:\n" + optionLines(c.options) }
        out += "\nGLOBAL OPTIONS:\n" + optionLines(CommandTable.globalOptions)
        if !c.examples.isEmpty {
            out += "\nEXAMPLES:\n" + c.examples.map { "  $ " + $0 + "\n" }.joined()
        }
        return out
    }

    static func optionDescription(_ o: OptionSpec) -> String {
        var text = o.help
        if let api = o.apiName { text += " (API: \(api))" }
        if o.takesValue {
            if case .choice = o.kind {} else { text += "; \(o.kind.accepts)" }
        }
        if let d = o.defaultText { text += "; default \(d)" }
        if o.required { text += "; required" }
        return text
    }

    static func optionLines(_ options: [OptionSpec]) -> String {
        var out = ""
        for o in options {
            let flag = (o.short.map { "-\($0), " } ?? "    ") + o.synopsis
            let lead = "  " + flag.padding(toLength: max(30, flag.count + 2), withPad: " ", startingAt: 0)
            out += lead + optionDescription(o) + "\n"
        }
        return out
    }

    /// Wraps paragraphs at 100 columns.
    static func wrap(_ text: String, indent: String) -> String {
        text.components(separatedBy: "\n").map { para -> String in
            var lines: [String] = []
            var line = indent
            for word in para.split(separator: " ") {
                if line.count + word.count + 1 > 100 && line.count > indent.count {
                    lines.append(line); line = indent
                }
                line += (line.count > indent.count ? " " : "") + word
            }
            lines.append(line)
            return lines.joined(separator: "\n")
        }.joined(separator: "\n")
    }
}
