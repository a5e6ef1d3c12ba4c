import FaceScan
import FaceScanStore
import Foundation

/// The command-line entry point: parses, runs, prints the result on stdout or one JSON error on stderr,
/// and returns the exit status. Nothing is written on stdout unless the command succeeded.
public enum FaceScanMain {
    public static func run(_ arguments: [String], table: [CommandSpec] = CommandTable.all) -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        FrameMemory.keepFreedBuffers()
        SQLiteCollectionStore.register()  // a search job's worker opens its stored collection by location
        PostgresJobBackend.register()  // postgres:// job and collection stores
        if arguments.first == JobRunner.workerCommand, arguments.count == 3 {
            // A detached job worker started by start-face-detection (not a user command).
            return JobRunner.work(storeLocation: arguments[1], jobId: arguments[2])
        }
        do {
            switch try ArgumentParser(table: table).parse(arguments) {
            case .version:
                try writeAll(STDOUT_FILENO, "facescan \(FaceScanVersion.string)\n", what: "standard output")
                return 0
            case .manual:
                try writeAll(STDOUT_FILENO, ManPage.render(table), what: "standard output")
                return 0
            case .help(let command):
                try writeAll(STDOUT_FILENO, command.map(Help.command) ?? Help.general(table), what: "standard output")
                return 0
            case .run(let args, let quiet):
                let progress = ProgressLine.wanted(quiet: quiet) ? ProgressLine() : nil
                // Warnings are held until the command has succeeded: a failure prints its one JSON error
                // object alone on stderr, so that `json.loads(stderr)` works.
                let warnings = WarningBuffer()
                let context = CommandContext(
                    quiet: quiet,
                    warn: { message in if !quiet { warnings.lines.append(message) } },
                    progress: progress,
                    emit: { document in try writeAll(STDOUT_FILENO, document.rendered() + "\n", what: "standard output") },
                    emitBytes: { bytes in try writeAll(STDOUT_FILENO, bytes, what: "standard output") })
                let output: JSON?
                do {
                    defer { progress?.finish() }
                    output = try args.command.run(args, context)
                }
                if let output { try writeAll(STDOUT_FILENO, output.rendered(pretty: true) + "\n", what: "standard output") }
                for line in warnings.lines { try? writeAll(STDERR_FILENO, line + "\n", what: "standard error") }
                return 0
            }
        } catch {
            let apiError = (error as? APIError) ?? (error as? APIErrorConvertible)?.apiError
                ?? APIError(.internalServerError, "unexpected failure: \(error)")
            try? writeAll(STDERR_FILENO, apiError.json.rendered() + "\n", what: "standard error")
            return apiError.kind.exitCode
        }
    }

    /// Writes all bytes. A closed pipe (e.g. `| head`) ends the write quietly: the reader wanted no
    /// more. Any other failure (a full disk, an I/O error) is an InternalServerError, so that results
    /// that were not written are never reported as a success.
    static func writeAll(_ fd: Int32, _ text: String, what: String) throws {
        try writeAll(fd, Array(text.utf8), what: what)
    }

    static func writeAll(_ fd: Int32, _ all: [UInt8], what: String) throws {
        var bytes = all[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE { return }
                throw APIError(.internalServerError, "cannot write the results to \(what): \(String(cString: strerror(errno)))")
            }
            bytes = bytes.dropFirst(n)
        }
    }
}

/// Warnings of a running command, printed once it has succeeded.
final class WarningBuffer { var lines: [String] = [] }
