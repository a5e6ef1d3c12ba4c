// libFuzzer harness: the command-line parser (`ArgumentParser(table: CommandTable.all).parse(_:)`,
// Sources/FaceScanCLI/ArgumentParser.swift). Built and run by scripts/fuzz.sh.
//
// The input is split into arguments at NUL bytes (as the kernel passes argv) and at newlines (so that
// seeds are readable text files). Parsing must give an invocation or an `InvalidParameterException`
// APIError, never trap; a command line that parses must give values the commands can convert (the
// video options are converted here as the commands do).
@testable import FaceScan
@testable import FaceScanCLI

let parser = ArgumentParser(table: CommandTable.all)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    guard size <= 1 << 16 else { return 0 }
    let arguments = input.split(separator: 0, omittingEmptySubsequences: false)
        .flatMap { $0.split(separator: 0x0a, omittingEmptySubsequences: false) }
        .map { String(decoding: $0, as: UTF8.self) }
    let invocation: Invocation
    do {
        invocation = try parser.parse(size == 0 ? [] : arguments)
    } catch let e as APIError {
        guard e.kind == .invalidParameter else { fatalError("parse threw \(e.kind.rawValue): \(e)") }
        fuzzLog("\(arguments): \(e.message)")
        return 0
    } catch {
        fatalError("parse threw \(type(of: error)), not APIError: \(error)")
    }
    fuzzLog({
        switch invocation {
        case .run(let args, let quiet): return "\(arguments): run \(args.command.name) \(args.values) \(args.positionals) quiet: \(quiet)"
        case .help(let spec): return "\(arguments): help \(spec?.name ?? "")"
        case .version: return "\(arguments): version"
        case .manual: return "\(arguments): manual"
        }
    }())
    if case .run(let args, _) = invocation {
        if args.command.options.contains(where: { $0.name == "sample-rate" }) {
            _ = VideoOptions.frames(args)
        }
        for option in args.command.options where args.has(option.name) {
            switch option.kind {
            case .integer: guard args.int(option.name) != nil else { fatalError("--\(option.name) \(args.string(option.name)!) accepted") }
            case .number: guard args.double(option.name)?.isFinite == true else { fatalError("--\(option.name) \(args.string(option.name)!) accepted") }
            default: break
            }
        }
    }
    return 0
}
