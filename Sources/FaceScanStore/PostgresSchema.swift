import FaceScan
import Foundation
import PostgresNIO

/// The tables facescan keeps in a PostgreSQL database, created by the first facescan that opens it
/// (under an advisory lock, so that many workers starting at once create them once). The schema's
/// version is kept in facescan_meta; a database made by a newer facescan is refused rather than misread.
///
/// - facescan_jobs: one row a job: its JobRecord (JSON), status and ClientRequestToken.
/// - facescan_tasks: a job's segments (number 0, 1, …) and its merge step (number -1), each with the
///   lease of the worker holding it, its attempt count, progress and warnings.
/// - facescan_items: result items by job, part (a segment's number, or -1: the job's results) and number.
/// - facescan_orders: other orders of a job's results (GetFaceSearch's INDEX), as UInt32 item numbers.
/// - facescan_collections, facescan_faces: collections and their faces (descriptors as float4 bytes).
enum PostgresSchema {
    static let version = 1
    /// pg_advisory_xact_lock keys: schema creation, and starts (token lookup, job limit).
    static let schemaLock: Int64 = 0x66_61_63_65_73_63_00_01
    static let startLock: Int64 = 0x66_61_63_65_73_63_00_02

    private static let ready = NSLock()
    nonisolated(unsafe) private static var prepared: Set<String> = []

    /// A session on the database at `url`, its tables created when missing.
    static func open(_ url: String) throws -> PostgresSession {
        let session = try PostgresSession(url: url)
        try prepare(session)
        return session
    }

    /// Creates the tables when missing (once per process and database).
    static func prepare(_ session: PostgresSession) throws {
        ready.lock(); defer { ready.unlock() }
        if prepared.contains(session.url) { return }
        try session.transaction {
            try session.query("SELECT pg_advisory_xact_lock(\(schemaLock))")
            try session.query("CREATE TABLE IF NOT EXISTS facescan_meta (name text PRIMARY KEY, value bytea NOT NULL)")
            let rows = try session.query("SELECT value FROM facescan_meta WHERE name = 'schema'")
            if let row = rows.first {
                let bytes = try row.decode(Data.self)
                let stored = Int(String(decoding: bytes, as: UTF8.self)) ?? Int.max
                if stored > version {
                    throw APIError(.internalServerError, "the PostgreSQL store \(session.shownURL) was made by a newer facescan (schema \(stored)); use that facescan")
                }
                return
            }
            for statement in tables { try session.query(PostgresQuery(unsafeSQL: statement)) }
            try session.query("INSERT INTO facescan_meta (name, value) VALUES ('schema', \(Data(String(version).utf8)))")
        }
        prepared.insert(session.url)
    }

    static let tables = [
        """
        CREATE TABLE facescan_jobs (
            job_id text PRIMARY KEY,
            client_token text UNIQUE,
            status text NOT NULL,
            created bigint NOT NULL,
            record text NOT NULL)
        """,
        """
        CREATE TABLE facescan_tasks (
            job_id text NOT NULL REFERENCES facescan_jobs ON DELETE CASCADE,
            number int NOT NULL,
            start_ms bigint NOT NULL,
            end_ms bigint,
            state text NOT NULL,
            lease_until timestamptz,
            worker text,
            attempt int NOT NULL DEFAULT 0,
            frames int NOT NULL DEFAULT 0,
            position bigint,
            warnings text NOT NULL DEFAULT '[]',
            PRIMARY KEY (job_id, number))
        """,
        "CREATE INDEX facescan_tasks_by_state ON facescan_tasks (state, lease_until)",
        """
        CREATE TABLE facescan_items (
            job_id text NOT NULL REFERENCES facescan_jobs ON DELETE CASCADE,
            part int NOT NULL,
            n int NOT NULL,
            body text NOT NULL,
            PRIMARY KEY (job_id, part, n))
        """,
        """
        CREATE TABLE facescan_orders (
            job_id text NOT NULL REFERENCES facescan_jobs ON DELETE CASCADE,
            name text NOT NULL,
            perm bytea NOT NULL,
            PRIMARY KEY (job_id, name))
        """,
        """
        CREATE TABLE facescan_collections (
            id text PRIMARY KEY,
            face_model_version text NOT NULL,
            creation_timestamp double precision NOT NULL)
        """,
        """
        CREATE TABLE facescan_faces (
            face_id text PRIMARY KEY,
            collection_id text NOT NULL REFERENCES facescan_collections ON DELETE CASCADE,
            image_id text NOT NULL,
            external_image_id text,
            box_width double precision NOT NULL, box_height double precision NOT NULL,
            box_left double precision NOT NULL, box_top double precision NOT NULL,
            confidence double precision NOT NULL,
            descriptor bytea NOT NULL,
            index_faces_model_version text NOT NULL)
        """,
        "CREATE INDEX facescan_faces_by_collection ON facescan_faces (collection_id, face_id)",
    ]
}
