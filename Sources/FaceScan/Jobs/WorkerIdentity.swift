import Foundation

/// Which process runs a job, recorded so that a dead worker is recognised on the next read.
///
/// A pid alone is not enough: after the worker dies its pid may be given to another process, and after
/// a reboot pids start over. So the identity is the pid, the process's start time (field 22 of
/// /proc/PID/stat, clock ticks since boot) and the boot id (/proc/sys/kernel/random/boot_id). The worker
/// is alive when the same boot is running and a process with that pid exists, started at that time,
/// and is not a zombie.
public struct WorkerIdentity: Codable, Equatable, Sendable {
    public var pid: Int32
    public var startTime: UInt64
    public var bootId: String

    public init(pid: Int32, startTime: UInt64, bootId: String) {
        self.pid = pid
        self.startTime = startTime
        self.bootId = bootId
    }

    /// This process.
    public static var current: WorkerIdentity { of(pid: getpid()) ?? WorkerIdentity(pid: getpid(), startTime: 0, bootId: bootId) }

    /// A running process's identity, or nil when there is no such process (or it is a zombie).
    public static func of(pid: Int32) -> WorkerIdentity? {
        guard let (state, start) = stat(pid), state != "Z", state != "X" else { return nil }
        return WorkerIdentity(pid: pid, startTime: start, bootId: bootId)
    }

    /// True when the process this identity names is still running.
    public var isAlive: Bool {
        guard bootId == WorkerIdentity.bootId, let now = WorkerIdentity.of(pid: pid) else { return false }
        return now.startTime == startTime
    }

    /// The id of the running boot ("" when /proc does not tell).
    public static let bootId: String = {
        guard let data = FileManager.default.contents(atPath: "/proc/sys/kernel/random/boot_id") else { return "" }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }()

    /// State letter and start time from /proc/PID/stat. The command name (field 2) is in parentheses and
    /// may itself contain spaces and parentheses, so fields are counted after the last ")".
    static func stat(_ pid: Int32) -> (Character, UInt64)? {
        guard pid > 0, let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
        guard fields.count > 19, let state = fields[0].first, let start = UInt64(fields[19]) else { return nil }
        return (state, start)
    }

    /// Sends SIGTERM to the worker if it is still the same process.
    @discardableResult
    public func terminate() -> Bool {
        guard isAlive else { return false }
        return kill(pid, SIGTERM) == 0
    }
}
