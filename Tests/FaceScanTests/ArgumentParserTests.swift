import Testing
@testable import FaceScan
@testable import FaceScanCLI

/// The hand-written parser, table-driven, against a command table made for the tests (so the table
/// exercises every kind of value whatever commands the tool has).
@Suite struct ArgumentParserTests {
    static let demo = CommandSpec(
        name: "demo", summary: "a command for parser tests", details: "",
        positionals: [PositionalSpec("FILE", help: "input"), PositionalSpec("EXTRA", optional: true, help: "more")],
        options: [
            OptionSpec("max-results", .integer(min: 1, max: nil), valueName: "N", api: "MaxResults", help: "page size"),
            OptionSpec("face-match-threshold", .number(min: 0, max: 100), valueName: "PERCENT", help: "threshold"),
            OptionSpec("sort-by", .choice(["TIMESTAMP", "INDEX"]), valueName: "KEY", help: "order"),
            OptionSpec("job-tag", .text(accepts: "letters", valid: { $0.allSatisfy(\.isLetter) }), valueName: "TAG", help: "tag"),
            OptionSpec("collection", short: "c", .path, valueName: "DIR", help: "dir"),
            OptionSpec("force", .flag, help: "flag"),
        ],
        run: { _, _ in .null })
    static let needy = CommandSpec(
        name: "needy", summary: "", details: "",
        options: [OptionSpec("job-id", .path, valueName: "ID", required: true, help: "id")],
        run: { _, _ in .null })

    enum Outcome {
        case ok([String: String], [String])
        case error(String)
        case help
        case version
    }

    static let cases: [([String], Outcome)] = [
        (["demo", "a.mp4"], .ok([:], ["a.mp4"])),
        (["demo", "a.mp4", "b"], .ok([:], ["a.mp4", "b"])),
        (["demo", "--max-results", "5", "a.mp4"], .ok(["max-results": "5"], ["a.mp4"])),
        (["demo", "--max-results=5", "a.mp4"], .ok(["max-results": "5"], ["a.mp4"])),
        (["demo", "a.mp4", "--max-results", "5000"], .ok(["max-results": "5000"], ["a.mp4"])),
        (["demo", "--face-match-threshold", "80.5", "a"], .ok(["face-match-threshold": "80.5"], ["a"])),
        (["demo", "--sort-by", "INDEX", "a"], .ok(["sort-by": "INDEX"], ["a"])),
        (["demo", "--force", "a"], .ok(["force": "true"], ["a"])),
        (["demo", "-c", "dir", "a"], .ok(["collection": "dir"], ["a"])),
        (["demo", "--", "--force"], .ok([:], ["--force"])),
        (["demo", "--", "-"], .ok([:], ["-"])),
        (["--quiet", "demo", "a"], .ok([:], ["a"])),
        (["demo", "a", "-q"], .ok([:], ["a"])),
        (["demo", "--help"], .help),
        (["demo", "a", "-h"], .help),
        (["help", "demo"], .help),
        (["--help"], .help),
        (["--version"], .version),
        (["demo", "--version"], .version),
        ([], .error("no command given")),
        (["dmeo"], .error("did you mean demo?")),
        (["--verbose", "demo"], .error("unknown option --verbose")),
        (["demo", "--max-result", "5", "a"], .error("did you mean --max-results?")),
        (["demo", "--bogus", "a"], .error("unknown option --bogus")),
        (["demo", "--max-results=0", "a"], .error("--max-results accepts a whole number of at least 1, not \"0\"")),
        (["demo", "--max-results", "ten", "a"], .error("--max-results accepts a whole number of at least 1")),
        (["demo", "--max-results"], .error("--max-results needs a value")),
        (["demo", "--max-results", "--force", "a"], .error("--max-results needs a value")),
        (["demo", "--face-match-threshold", "101", "a"], .error("a number from 0 to 100")),
        (["demo", "--face-match-threshold", "nan", "a"], .error("a number from 0 to 100")),
        (["demo", "--sort-by", "NAME", "a"], .error("one of TIMESTAMP, INDEX")),
        (["demo", "--job-tag", "a1", "a"], .error("--job-tag accepts letters")),
        (["demo", "--force=yes", "a"], .error("--force takes no value")),
        (["demo", "--force", "--force", "a"], .error("--force is given more than once")),
        (["demo"], .error("needs FILE")),
        (["demo", "a", "b", "c"], .error("unexpected argument \"c\"")),
        (["demo", ""], .error("FILE must not be empty")),
        (["demo", "--collection", "", "a"], .error("--collection needs a non-empty path")),
        (["needy"], .error("needs --job-id ID")),
        (["help", "nothing"], .error("unknown command \"nothing\"")),
    ]

    @Test(arguments: cases)
    func parse(arguments: [String], expected: Outcome) {
        let parser = ArgumentParser(table: [Self.demo, Self.needy])
        switch (Result { try parser.parse(arguments) }, expected) {
        case (.success(.run(let parsed, _)), .ok(let values, let positionals)):
            #expect(parsed.values == values)
            #expect(parsed.positionals == positionals)
        case (.success(.help), .help), (.success(.version), .version):
            break
        case (.failure(let error as APIError), .error(let fragment)):
            #expect(error.kind == .invalidParameter)
            #expect(error.message.contains(fragment), "message: \(error.message)")
        case (let got, _):
            Issue.record("\(arguments): got \(got), expected \(expected)")
        }
    }

    @Test func typedAccessors() throws {
        guard case .run(let p, let quiet) = try ArgumentParser(table: [Self.demo]).parse(
            ["-q", "demo", "--max-results", "7", "--face-match-threshold=12.5", "x"]) else {
            Issue.record("not a run"); return
        }
        #expect(quiet)
        #expect(p.int("max-results") == 7)
        #expect(p.double("face-match-threshold") == 12.5)
        #expect(p.string("sort-by") == nil)
    }

    @Test func realTableIsWellFormed() {
        let table = CommandTable.all
        #expect(Set(table.map(\.name)).count == table.count, "command names are unique")
        for c in table {
            let names = c.options.map(\.name) + CommandTable.globalOptions.map(\.name)
            #expect(Set(names).count == names.count, "\(c.name): option names are unique")
            #expect(!c.summary.isEmpty && !c.details.isEmpty)
            for o in c.options {
                #expect(o.name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" }, "\(o.name) is kebab-case")
                if o.takesValue { #expect(!o.valueName.isEmpty, "\(c.name) --\(o.name) names its value") }
            }
            #expect(Help.command(c).contains(c.usage))
        }
    }

    @Test func editDistanceValues() {
        #expect(editDistance("kitten", "sitting") == 3)
        #expect(editDistance("", "abc") == 3)
        #expect(editDistance("same", "same") == 0)
    }
}
