import FaceScan
import Foundation
import GRDB

/// The embedded collection store: one SQLite database file (through GRDB), in WAL mode so that readers
/// (a search job, `list-faces`) never wait for a writer (`index-faces`) and the endpoint and command-line
/// processes can share it. Every operation is one transaction. The schema is versioned by GRDB's
/// migrator; a database made by a newer facescan is refused rather than misread.
///
/// Face descriptors are biometric data: the file and its folder are created 0600 and 0700.
public final class SQLiteCollectionStore: CollectionStore, @unchecked Sendable {
    public let path: String
    public var location: String { "sqlite:" + path }
    private let pool: DatabasePool

    /// The backend's scheme for `CollectionStores`.
    public static let scheme = "sqlite"

    /// Registers this backend with `CollectionStores` (for "sqlite:/path" locations).
    public static func register() {
        CollectionStores.register(scheme: scheme) { try SQLiteCollectionStore(path: $0) }
    }

    /// The database facescan uses unless told otherwise: `collections.sqlite` in the job store's folder
    /// (`$FACESCAN_HOME`, else `$XDG_STATE_HOME/facescan`, else `~/.local/state/facescan`).
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        JobStore.defaultDirectory(environment: environment) + "/collections.sqlite"
    }

    /// Opens (creating when missing) the database at `path` and brings its schema up to date.
    /// - Throws: InternalServerError for a file that is not a facescan collection database, is damaged,
    ///   or cannot be created; AccessDeniedException for one that cannot be read or written.
    public init(path: String) throws {
        self.path = path
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        if !FileManager.default.fileExists(atPath: path) {
            let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
            if fd >= 0 { close(fd) }
        }
        if FileManager.default.fileExists(atPath: path), access(path, R_OK | W_OK) != 0 {
            throw APIError(.accessDenied, "collection database \(path) cannot be read and written: permission denied")
        }
        var config = Configuration()
        config.busyMode = .timeout(30)
        config.foreignKeysEnabled = true
        do {
            // Processes opening the database at once take turns: opening a new database switches it to
            // WAL, which fails at once ("database is locked", no busy wait) while another process does
            // the same; and one migrates while the others wait for it (GRDB reads which migrations are
            // applied outside the transaction that applies them).
            let lock = open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            if lock >= 0 { while flock(lock, LOCK_EX) != 0 && errno == EINTR {} }
            defer { if lock >= 0 { close(lock) } }
            pool = try DatabasePool(path: path, configuration: config)
            try Self.migrator.migrate(pool)
        } catch let e as APIError {
            throw e
        } catch {
            throw APIError(.internalServerError, "collection database \(path) cannot be opened: \(Self.describe(error))")
        }
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE collection (
                    id TEXT PRIMARY KEY NOT NULL,
                    faceModelVersion TEXT NOT NULL,
                    creationTimestamp DOUBLE NOT NULL
                );
                CREATE TABLE face (
                    faceId TEXT PRIMARY KEY NOT NULL,
                    collectionId TEXT NOT NULL REFERENCES collection(id) ON DELETE CASCADE,
                    imageId TEXT NOT NULL,
                    externalImageId TEXT,
                    boxWidth DOUBLE NOT NULL, boxHeight DOUBLE NOT NULL, boxLeft DOUBLE NOT NULL, boxTop DOUBLE NOT NULL,
                    confidence DOUBLE NOT NULL,
                    descriptor BLOB NOT NULL,
                    indexFacesModelVersion TEXT NOT NULL
                );
                CREATE INDEX face_by_collection ON face(collectionId, faceId);
                """)
        }
        return m
    }

    static func describe(_ error: Error) -> String {
        if let e = error as? DatabaseError { return e.message ?? "\(e.resultCode)" }
        return "\(error)"
    }

    /// Runs `body` in a write transaction, errors as APIErrors.
    private func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            try refuseNewerSchema()
            return try pool.write(body)
        } catch let e as APIError {
            throw e
        } catch {
            throw APIError(.internalServerError, "collection database \(path): \(Self.describe(error))")
        }
    }

    private func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.read(body)
        } catch let e as APIError {
            throw e
        } catch {
            throw APIError(.internalServerError, "collection database \(path): \(Self.describe(error))")
        }
    }

    /// A database migrated by a newer facescan (a schema this one does not know) is not written to.
    private func refuseNewerSchema() throws {
        let applied = try pool.read { try Self.migrator.appliedIdentifiers($0) }
        let known: Set<String> = ["v1"]
        if !applied.isSubset(of: known) {
            throw APIError(.internalServerError, "collection database \(path) has a newer schema (\(applied.subtracting(known).sorted().joined(separator: ", "))) than this facescan knows")
        }
    }

    private static func notFound(_ id: String) -> APIError { APIError(.resourceNotFound, "collection \(id) does not exist") }

    private func info(_ db: Database, _ id: String) throws -> CollectionInfo {
        guard let row = try Row.fetchOne(db, sql: "SELECT id, faceModelVersion, creationTimestamp FROM collection WHERE id = ?", arguments: [id]) else {
            throw Self.notFound(id)
        }
        let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM face WHERE collectionId = ?", arguments: [id]) ?? 0
        return CollectionInfo(collectionId: row["id"], faceModelVersion: row["faceModelVersion"], creationTimestamp: row["creationTimestamp"], faceCount: count)
    }

    // MARK: CollectionStore

    public func createCollection(_ id: String, faceModelVersion: String, creationTimestamp: Double) throws -> CollectionInfo {
        try write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM collection WHERE id = ?", arguments: [id]) == true {
                throw APIError(.resourceAlreadyExists, "collection \(id) already exists")
            }
            try db.execute(sql: "INSERT INTO collection (id, faceModelVersion, creationTimestamp) VALUES (?, ?, ?)",
                           arguments: [id, faceModelVersion, creationTimestamp])
            return CollectionInfo(collectionId: id, faceModelVersion: faceModelVersion, creationTimestamp: creationTimestamp, faceCount: 0)
        }
    }

    public func deleteCollection(_ id: String) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM collection WHERE id = ?", arguments: [id])
            if db.changesCount == 0 { throw Self.notFound(id) }
        }
    }

    public func describeCollection(_ id: String) throws -> CollectionInfo {
        try read { try info($0, id) }
    }

    public func listCollections(after: String?, limit: Int) throws -> [CollectionInfo] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT c.id, c.faceModelVersion, c.creationTimestamp, (SELECT COUNT(*) FROM face f WHERE f.collectionId = c.id) AS n
                FROM collection c WHERE c.id > ? ORDER BY c.id LIMIT ?
                """, arguments: [after ?? "", limit])
            return rows.map { CollectionInfo(collectionId: $0["id"], faceModelVersion: $0["faceModelVersion"],
                                             creationTimestamp: $0["creationTimestamp"], faceCount: $0["n"]) }
        }
    }

    public func addFaces(_ faces: [StoredFace], to id: String) throws {
        try write { db in
            _ = try info(db, id)
            for f in faces {
                try db.execute(sql: """
                    INSERT INTO face (faceId, collectionId, imageId, externalImageId, boxWidth, boxHeight, boxLeft, boxTop,
                                      confidence, descriptor, indexFacesModelVersion)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [f.faceId, id, f.imageId, f.externalImageId, Double(f.boundingBox.width), Double(f.boundingBox.height),
                                     Double(f.boundingBox.left), Double(f.boundingBox.top), Double(f.confidence),
                                     Self.blob(f.descriptor), f.indexFacesModelVersion])
            }
        }
    }

    public func listFaces(in id: String, after: String?, limit: Int, faceIds: [String]?) throws -> [StoredFace] {
        try read { db in
            _ = try info(db, id)
            var sql = "SELECT * FROM face WHERE collectionId = ? AND faceId > ?"
            var args: [DatabaseValueConvertible?] = [id, after ?? ""]
            if let faceIds {
                sql += " AND faceId IN (" + faceIds.map { _ in "?" }.joined(separator: ",") + ")"
                args += faceIds.map { $0 as DatabaseValueConvertible? }
            }
            sql += " ORDER BY faceId LIMIT ?"
            args.append(limit)
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map(Self.face)
        }
    }

    public func allFaces(in id: String) throws -> [StoredFace] {
        try read { db in
            _ = try info(db, id)
            return try Row.fetchAll(db, sql: "SELECT * FROM face WHERE collectionId = ? ORDER BY faceId", arguments: [id]).map(Self.face)
        }
    }

    public func deleteFaces(_ faceIds: [String], from id: String) throws -> [String] {
        try write { db in
            _ = try info(db, id)
            var deleted: [String] = []
            for f in faceIds {
                try db.execute(sql: "DELETE FROM face WHERE collectionId = ? AND faceId = ?", arguments: [id, f])
                if db.changesCount > 0 { deleted.append(f) }
            }
            return deleted
        }
    }

    // MARK: Rows

    static func blob(_ descriptor: [Float]) -> Data {
        var out = Data(capacity: descriptor.count * 4)
        for v in descriptor { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        return out
    }

    static func descriptor(_ data: Data) throws -> [Float] {
        guard data.count % 4 == 0 else { throw APIError(.internalServerError, "a stored face descriptor is damaged (\(data.count) bytes)") }
        let bytes = [UInt8](data)
        return stride(from: 0, to: bytes.count, by: 4).map { i in
            Float(bitPattern: UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24)
        }
    }

    static func face(_ row: Row) throws -> StoredFace {
        let d = try descriptor(row["descriptor"])
        guard d.count == 128, d.allSatisfy(\.isFinite) else {
            throw APIError(.internalServerError, "the stored descriptor of face \(row["faceId"] as String) is damaged")
        }
        return StoredFace(faceId: row["faceId"], imageId: row["imageId"], externalImageId: row["externalImageId"],
                          boundingBox: BoundingBox(width: Float(row["boxWidth"] as Double), height: Float(row["boxHeight"] as Double),
                                                   left: Float(row["boxLeft"] as Double), top: Float(row["boxTop"] as Double)),
                          confidence: Float(row["confidence"] as Double), descriptor: d,
                          indexFacesModelVersion: row["indexFacesModelVersion"])
    }
}
