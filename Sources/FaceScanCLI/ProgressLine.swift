import Foundation

/// A one-line progress display on stderr (frames done, video time, speed), redrawn at most 10 times a
/// second and erased at the end. Only used when stderr is a terminal and `--quiet` is not given.
public final class ProgressLine {
    private let started = Date()
    private var lastDraw = Date.distantPast
    private var drawn = false

    public init() {}

    /// True when progress should be shown.
    public static func wanted(quiet: Bool) -> Bool { !quiet && isatty(STDERR_FILENO) == 1 }

    /// Redraws: `frames` analysed so far, `position` and `duration` of video time in ms.
    public func update(frames: Int, position: Int64, duration: Int64?) {
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        let elapsed = max(now.timeIntervalSince(started), 1e-3)
        var line = "facescan: \(frames) frames, \(ProgressLine.clock(position))"
        if let duration, duration > 0 {
            line += " of \(ProgressLine.clock(duration)) (\(Int(min(100, Double(position) * 100 / Double(duration))))%)"
        }
        line += String(format: ", %.1f frames/s, %.2fx real time", Double(frames) / elapsed, Double(position) / 1000 / elapsed)
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        drawn = true
    }

    /// Erases the line.
    public func finish() {
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        drawn = false
    }

    static func clock(_ ms: Int64) -> String {
        let s = ms / 1000
        return String(format: "%d:%02d:%02d.%01d", s / 3600, s / 60 % 60, s % 60, ms % 1000 / 100)
    }
}
