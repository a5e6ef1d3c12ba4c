import FaceScan
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// A PostgreSQL server as facescan names it: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`, with
/// `?sslmode=disable|prefer|require` (default: disable on a loopback host, require elsewhere) and
/// `?host=/run/postgresql` for a Unix socket directory. The password may instead come from PGPASSWORD.
struct PostgresAddress: Sendable, Equatable {
    var host: String
    var port: Int
    var socketDirectory: String?
    var user: String
    var password: String?
    var database: String
    var sslMode: String

    /// - Throws: InvalidParameterException for a URL that is not one.
    init(_ url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        func bad(_ why: String) -> APIError {
            APIError.invalidParameter("the store \(PostgresAddress.redacted(url)) is not a PostgreSQL URL (postgres://USER@HOST:PORT/DATABASE): \(why)")
        }
        guard let c = URLComponents(string: url), c.scheme == "postgres" || c.scheme == "postgresql" else { throw bad("it must start with postgres://") }
        let query = Dictionary((c.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        host = c.host.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
        port = c.port ?? 5432
        guard (1...65535).contains(port) else { throw bad("the port must be 1 to 65535") }
        socketDirectory = query["host"].flatMap { $0.hasPrefix("/") ? $0 : nil }
        guard let u = c.user, !u.isEmpty else { throw bad("it names no user") }
        user = u
        password = c.password ?? environment["PGPASSWORD"]
        let path = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        guard !path.isEmpty, !path.contains("/") else { throw bad("it names no database") }
        database = path
        let loopback = ["127.0.0.1", "localhost", "::1"].contains(host) || socketDirectory != nil
        sslMode = query["sslmode"] ?? (loopback ? "disable" : "require")
        guard ["disable", "prefer", "require"].contains(sslMode) else { throw bad("sslmode must be disable, prefer or require") }
    }

    /// The URL without its password, for messages. Cut as text (between "://" and the last "@"), so
    /// that a password URLComponents cannot parse is hidden too.
    static func redacted(_ url: String) -> String { JobStores.withoutPassword(url, mask: ":***") }

    /// The URL with no password at all: what is stored in jobs (a search job's collection store), so
    /// that no password is written into the database.
    static func withoutPassword(_ url: String) -> String { JobStores.withoutPassword(url) }

    /// A store's identity whatever its URL's spelling: user, host, port and database.
    var key: String { "\(user)@\(socketDirectory ?? host):\(port)/\(database)" }

    private static let known = NSLock()
    nonisolated(unsafe) private static var passwords: [String: String] = [:]

    /// Remembers the full URL of a store this process opened, by its identity (`key`).
    static func remember(_ address: PostgresAddress, _ url: String) {
        guard withoutPassword(url) != url else { return }
        known.lock(); passwords[address.key] = url; known.unlock()
    }

    /// A password-less URL completed with the password of a store this process opened (the worker's
    /// own --store) if it is the same database, else as it is (PGPASSWORD may then provide one).
    static func completed(_ url: String) -> String {
        guard let address = try? PostgresAddress(url, environment: [:]) else { return url }
        known.lock(); defer { known.unlock() }
        return passwords[address.key] ?? url
    }

    func configuration() throws -> PostgresConnection.Configuration {
        if let socketDirectory {
            return .init(unixSocketPath: socketDirectory + "/.s.PGSQL.\(port)", username: user, password: password, database: database)
        }
        let tls: PostgresConnection.Configuration.TLS
        switch sslMode {
        case "disable": tls = .disable
        case "prefer": tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        default: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        return .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
    }
}

/// One connection to the server, used from ordinary threads: every call blocks until the server
/// answered. Calls are serialised (one statement or transaction at a time); a connection that broke is
/// opened again by the next call.
final class PostgresSession: @unchecked Sendable {
    let address: PostgresAddress
    let url: String
    private let lock = NSRecursiveLock()
    private var connection: PostgresConnection?
    private let logger = Logger(label: "facescan.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
    private static let ids = ManagedAtomicCounter()

    init(url: String) throws {
        self.url = url
        address = try PostgresAddress(url)
        PostgresAddress.remember(address, url)
    }

    deinit { _ = try? connection?.close().wait() }

    var shownURL: String { PostgresAddress.redacted(url) }

    /// Inside `transaction`: the connection BEGIN ran on. A statement never silently runs on a new
    /// connection in the middle of a transaction (it would run outside it).
    private var transactionConnection: PostgresConnection?

    private func connected() throws -> PostgresConnection {
        if let c = transactionConnection {
            guard !c.isClosed else { throw StoreUnavailable("the connection to the PostgreSQL store \(shownURL) was lost in a transaction") }
            return c
        }
        if let connection, !connection.isClosed { return connection }
        do {
            let c = try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.next(), configuration: try address.configuration(),
                                                   id: Self.ids.next(), logger: logger).wait()
            connection = c
            return c
        } catch {
            throw StoreUnavailable("cannot connect to the PostgreSQL store \(shownURL): \(Self.describe(error))")
        }
    }

    /// Runs one statement and returns its rows.
    @discardableResult
    func query(_ q: PostgresQuery) throws -> [PostgresRow] {
        lock.lock(); defer { lock.unlock() }
        let c = try connected()
        do {
            return Array(try c.query(q, logger: logger).wait().rows)
        } catch {
            if c.isClosed {
                connection = nil
                throw StoreUnavailable("the connection to the PostgreSQL store \(shownURL) was lost: \(Self.describe(error))")
            }
            throw Self.apiError(error, shownURL)
        }
    }

    /// Runs `body` in a transaction (committed when it returns, rolled back when it throws). Statements
    /// inside go through `query` on this session, which no other thread uses meanwhile.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        lock.lock(); defer { lock.unlock() }
        if transactionConnection != nil { return try body() }  // already in one: part of it
        try query("BEGIN")
        transactionConnection = connection
        defer { transactionConnection = nil }
        do {
            let result = try body()
            try query("COMMIT")
            return result
        } catch {
            _ = try? query("ROLLBACK")
            throw error
        }
    }

    /// The SQLSTATE of a server error (e.g. "40001", "23505"), nil for other errors.
    static func sqlState(_ error: Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    static func describe(_ error: Error) -> String {
        if let e = error as? PSQLError {
            if let message = e.serverInfo?[.message] { return message }
            return "\(e.code)"
        }
        return "\(error)"
    }

    /// A server's error: StoreUnavailable for what another try may cure (connection exceptions 08…,
    /// the server shutting down 57P…, deadlocks and serialisation failures 40…), else an
    /// InternalServerError.
    static func apiError(_ error: Error, _ url: String) -> Error {
        if error is APIError || error is StoreUnavailable { return error }
        let state = sqlState(error) ?? ""
        if state.hasPrefix("08") || state.hasPrefix("57P") || state.hasPrefix("40") {
            return StoreUnavailable("PostgreSQL store \(url): \(describe(error)) (SQLSTATE \(state))")
        }
        return APIError(.internalServerError, "PostgreSQL store \(url): \(describe(error))")
    }
}

/// Connection ids for PostgresNIO's logs.
final class ManagedAtomicCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
}
