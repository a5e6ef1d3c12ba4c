import FaceScan
import Foundation

/// The command-line entry point: parses, runs, prints the result on stdout or one JSON error on stderr,
/// and returns the exit status. Nothing is written on stdout unless the command succeeded.
public enum FaceScanMain {
    public static func run(_ arguments: [String], table: [CommandSpec] = CommandTable.all) -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        if arguments.first == JobRunner.workerCommand, arguments.count == 3 {
            // A detached job worker started by start-face-detection (not a user command).
            return JobRunner.work(storeDirectory: arguments[1], jobId: arguments[2])
        }
        do {
            switch try ArgumentParser(table: table).parse(arguments) {
            case .version:
                writeAll(STDOUT_FILENO, "facescan \(FaceScanVersion.string)\n")
                return 0
            case .manual:
                writeAll(STDOUT_FILENO, ManPage.render(table))
                return 0
            case .help(let command):
                writeAll(STDOUT_FILENO, command.map(Help.command) ?? Help.general(table))
                return 0
            case .run(let args, let quiet):
                let progress = ProgressLine.wanted(quiet: quiet) ? ProgressLine() : nil
                let context = CommandContext(
                    quiet: quiet,
                    warn: { message in if !quiet { writeAll(STDERR_FILENO, message + "\n") } },
                    progress: progress,
                    emit: { document in writeAll(STDOUT_FILENO, document.rendered() + "\n") })
                let output: JSON?
                do {
                    defer { progress?.finish() }
                    output = try args.command.run(args, context)
                }
                if let output { writeAll(STDOUT_FILENO, output.rendered(pretty: true) + "\n") }
                return 0
            }
        } catch {
            let apiError = (error as? APIError) ?? (error as? APIErrorConvertible)?.apiError
                ?? APIError(.internalServerError, "unexpected failure: \(error)")
            writeAll(STDERR_FILENO, apiError.json.rendered() + "\n")
            return apiError.kind.exitCode
        }
    }

    /// Writes all bytes; a closed pipe (e.g. `| head`) ends the write quietly.
    static func writeAll(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return }
            bytes = bytes.dropFirst(n)
        }
    }
}
