import Foundation

/// The file operations of the job store, each failing as an `APIError` that names the path and the
/// cause: no permission or a read-only file system is an AccessDeniedException, anything else
/// (a full disk, an I/O error) an InternalServerError.
enum StoreIO {
    /// The APIError for a failed system call on `path`, from `errno`.
    static func error(_ action: String, _ path: String, errno code: Int32 = errno) -> APIError {
        let reason = String(cString: strerror(code))
        switch code {
        case EACCES, EPERM, EROFS:
            return APIError(.accessDenied, "cannot \(action) \(path): \(reason) (the job store must be writable; set FACESCAN_HOME to another directory)")
        case ENOENT:
            return APIError(.resourceNotFound, "cannot \(action) \(path): \(reason)")
        default:
            return APIError(.internalServerError, "cannot \(action) \(path): \(reason)")
        }
    }

    /// Creates a directory (mode 0700) and its missing parents; an existing directory is fine.
    static func makeDirectory(_ path: String) throws {
        var st = stat()
        if stat(path, &st) == 0 {
            if (st.st_mode & S_IFMT) != S_IFDIR { throw APIError(.invalidParameter, "\(path) is not a directory") }
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != path { try makeDirectory(parent) }
        if mkdir(path, 0o700) != 0 && errno != EEXIST { throw error("create the directory", path) }
    }

    /// Reads a whole file; nil when it does not exist.
    static func read(_ path: String) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw error("read", path)
        }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw error("read", path) }
            if n == 0 { return out }
            out += chunk[0..<n]
        }
    }

    /// Reads `count` bytes at `offset`; fewer when the file is shorter.
    static func read(fd: Int32, offset: Int, count: Int, path: String) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if n < 0 { if errno == EINTR { continue }; throw error("read", path) }
            if n == 0 { break }
            done += n
        }
        return Array(out[0..<done])
    }

    /// Writes all bytes to `fd`.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n < 0 { if errno == EINTR { continue }; throw error("write", path) }
            done += n
        }
    }

    /// Replaces `path` atomically: writes a temporary file beside it, fsyncs it, renames it over
    /// `path` and fsyncs the directory. Readers see the old or the new content, never a mix, and a
    /// crash leaves one of the two.
    static func writeAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o600) throws {
        let tmp = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        if fd < 0 { throw error("write", tmp) }
        do {
            try writeAll(fd, bytes, path: tmp)
            if fsync(fd) != 0 { throw error("sync", tmp) }
        } catch {
            close(fd); unlink(tmp)
            throw error
        }
        close(fd)
        if rename(tmp, path) != 0 {
            let e = errno
            unlink(tmp)
            throw error("rename a file to", path, errno: e)
        }
        syncDirectory((path as NSString).deletingLastPathComponent)
    }

    /// fsyncs a directory so that entries created, renamed or removed in it are durable.
    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { fsync(fd); close(fd) }
    }

    /// The names in a directory (empty when it does not exist).
    static func list(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else {
            if errno == ENOENT { return [] }
            throw error("list", path)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Removes a file or a directory tree; a missing path is fine.
    static func remove(_ path: String) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            for name in try list(path) { try remove(path + "/" + name) }
            if rmdir(path) != 0 && errno != ENOENT { throw error("remove", path) }
        } else if unlink(path) != 0 && errno != ENOENT {
            throw error("remove", path)
        }
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Milliseconds since the Unix epoch.
    static func nowMillis() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
}

/// An exclusive advisory lock on a file (flock), held until `unlock()` or deinit. Locks are released
/// by the kernel when the process dies, so a killed process never leaves the store locked.
final class FileLock {
    private var fd: Int32

    /// Opens (creating it if `create`) and locks `path`, waiting for other holders.
    init(_ path: String, create: Bool = true) throws {
        var fd = open(path, (create ? O_RDWR | O_CREAT : O_RDONLY) | O_CLOEXEC, 0o600)
        if fd < 0 && create && (errno == EACCES || errno == EROFS) {
            // A read-only store: a lock file that exists can still be locked through a read-only descriptor.
            fd = open(path, O_RDONLY | O_CLOEXEC)
        }
        if fd < 0 { throw StoreIO.error("lock", path) }
        while flock(fd, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            let e = errno
            close(fd)
            throw StoreIO.error("lock", path, errno: e)
        }
        self.fd = fd
    }

    func unlock() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    deinit { unlock() }
}
