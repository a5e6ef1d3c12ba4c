import Foundation

/// Starts a process that outlives its parent: a new session (setsid, so no terminal signal reaches it),
/// standard input from a file or /dev/null, output to a file or /dev/null, no other descriptor
/// inherited, default signal dispositions. The parent does not wait for it; when the parent exits the
/// child is adopted by init.
enum DetachedProcess {
    // <spawn.h> flags (GNU values), spelled out because not every Glibc module map exports them.
    private static let setSignalDefaults: Int32 = 0x04, setSignalMask: Int32 = 0x08, setSessionID: Int32 = 0x80

    // glibc 2.29 and 2.34 extensions, looked up at run time (the Glibc module does not export them).
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private static let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: AddCloseFrom.self) }
    private static let addChdir: AddChdir? = dlsym(nil, "posix_spawn_file_actions_addchdir_np")
        .map { unsafeBitCast($0, to: AddChdir.self) }

    /// Spawns `executable` with `arguments` (argv[0] first) and the current environment.
    /// - Returns: the child's pid.
    /// - Throws: InternalServerError when the process cannot be started.
    static func spawn(_ executable: String, _ arguments: [String], stdin: String? = nil, output: String? = nil,
                      directory: String? = nil) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        if let closeFrom = Self.addCloseFrom { _ = closeFrom(&actions, 3) }
        if let directory, let chdir = Self.addChdir { _ = chdir(&actions, directory) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(setSignalDefaults | setSignalMask | setSessionID))

        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard rc == 0 else {
            throw APIError(.internalServerError, "cannot start \(executable): \(String(cString: strerror(rc)))")
        }
        return pid
    }
}
