import FaceScan
import Foundation
import PostgresNIO

/// Collections in the shared PostgreSQL store (`PostgresSchema`: facescan_collections, facescan_faces),
/// so that every worker and endpoint using the store sees the same faces. Same semantics as the
/// embedded SQLite store: every operation is one transaction, descriptors are 128 float32 values.
public final class PostgresCollectionStore: CollectionStore, @unchecked Sendable {
    let session: PostgresSession
    /// The database's URL without its password (it is stored in search jobs): a worker completes it
    /// with the password of its own store, or PGPASSWORD.
    public var location: String { PostgresAddress.withoutPassword(session.url) }

    public init(url: String) throws {
        session = try PostgresSchema.open(url)
    }

    private static func notFound(_ id: String) -> APIError { APIError(.resourceNotFound, "collection \(id) does not exist") }

    private func info(_ id: String, lock: Bool = false) throws -> CollectionInfo {
        let rows = try session.query(lock
            ? "SELECT id, face_model_version, creation_timestamp FROM facescan_collections WHERE id = \(id) FOR UPDATE"
            : "SELECT id, face_model_version, creation_timestamp FROM facescan_collections WHERE id = \(id)")
        guard let row = rows.first else { throw Self.notFound(id) }
        let (cid, version, created) = try row.decode((String, String, Double).self)
        let count = try session.query("SELECT count(*) FROM facescan_faces WHERE collection_id = \(id)").first!.decode(Int64.self)
        return CollectionInfo(collectionId: cid, faceModelVersion: version, creationTimestamp: created, faceCount: Int(count))
    }

    public func createCollection(_ id: String, faceModelVersion: String, creationTimestamp: Double) throws -> CollectionInfo {
        let rows = try session.query("""
            INSERT INTO facescan_collections (id, face_model_version, creation_timestamp) VALUES (\(id), \(faceModelVersion), \(creationTimestamp))
            ON CONFLICT (id) DO NOTHING RETURNING 1
            """)
        guard !rows.isEmpty else { throw APIError(.resourceAlreadyExists, "collection \(id) already exists") }
        return CollectionInfo(collectionId: id, faceModelVersion: faceModelVersion, creationTimestamp: creationTimestamp, faceCount: 0)
    }

    public func deleteCollection(_ id: String) throws {
        if try session.query("DELETE FROM facescan_collections WHERE id = \(id) RETURNING 1").isEmpty { throw Self.notFound(id) }
    }

    public func describeCollection(_ id: String) throws -> CollectionInfo { try info(id) }

    public func listCollections(after: String?, limit: Int) throws -> [CollectionInfo] {
        try session.query("""
            SELECT c.id, c.face_model_version, c.creation_timestamp, (SELECT count(*) FROM facescan_faces f WHERE f.collection_id = c.id)
            FROM facescan_collections c WHERE c.id COLLATE "C" > \(after ?? "") ORDER BY c.id COLLATE "C" LIMIT \(Int64(limit))
            """).map { row in
            let (id, version, created, n) = try row.decode((String, String, Double, Int64).self)
            return CollectionInfo(collectionId: id, faceModelVersion: version, creationTimestamp: created, faceCount: Int(n))
        }
    }

    public func addFaces(_ faces: [StoredFace], to id: String) throws {
        try session.transaction {
            _ = try info(id, lock: true)
            for f in faces {
                try session.query("""
                    INSERT INTO facescan_faces (face_id, collection_id, image_id, external_image_id, box_width, box_height, box_left, box_top,
                                                confidence, descriptor, index_faces_model_version)
                    VALUES (\(f.faceId), \(id), \(f.imageId), \(f.externalImageId), \(Double(f.boundingBox.width)), \(Double(f.boundingBox.height)),
                            \(Double(f.boundingBox.left)), \(Double(f.boundingBox.top)), \(Double(f.confidence)), \(Self.blob(f.descriptor)), \(f.indexFacesModelVersion))
                    """)
            }
        }
    }

    private static let columns = "face_id, image_id, external_image_id, box_width, box_height, box_left, box_top, confidence, descriptor, index_faces_model_version"

    public func listFaces(in id: String, after: String?, limit: Int, faceIds: [String]?) throws -> [StoredFace] {
        try session.transaction {
            _ = try info(id)
            let rows: [PostgresRow]
            if let faceIds {
                rows = try session.query(PostgresQuery(unsafeSQL: "SELECT \(Self.columns) FROM facescan_faces WHERE collection_id = $1 AND face_id COLLATE \"C\" > $2 AND face_id = ANY($3) ORDER BY face_id COLLATE \"C\" LIMIT $4",
                                                       binds: try Self.binds(id, after ?? "", faceIds, Int64(limit))))
            } else {
                rows = try session.query(PostgresQuery(unsafeSQL: "SELECT \(Self.columns) FROM facescan_faces WHERE collection_id = $1 AND face_id COLLATE \"C\" > $2 ORDER BY face_id COLLATE \"C\" LIMIT $3",
                                                       binds: try Self.binds(id, after ?? "", nil as [String]?, Int64(limit))))
            }
            return try rows.map(Self.face)
        }
    }

    private static func binds(_ id: String, _ after: String, _ ids: [String]?, _ limit: Int64) throws -> PostgresBindings {
        var b = PostgresBindings()
        b.append(id)
        b.append(after)
        if let ids { b.append(ids) }
        b.append(limit)
        return b
    }

    public func allFaces(in id: String) throws -> [StoredFace] {
        try session.transaction {
            _ = try info(id)
            return try session.query(PostgresQuery(unsafeSQL: "SELECT \(Self.columns) FROM facescan_faces WHERE collection_id = $1 ORDER BY face_id COLLATE \"C\"",
                                                   binds: { var b = PostgresBindings(); b.append(id); return b }())).map(Self.face)
        }
    }

    public func deleteFaces(_ faceIds: [String], from id: String) throws -> [String] {
        try session.transaction {
            _ = try info(id, lock: true)
            let gone = Set(try session.query("DELETE FROM facescan_faces WHERE collection_id = \(id) AND face_id = ANY(\(faceIds)) RETURNING face_id")
                .map { try $0.decode(String.self) })
            return faceIds.filter { gone.contains($0) }
        }
    }

    // MARK: Rows

    static func blob(_ descriptor: [Float]) -> Data { SQLiteCollectionStore.blob(descriptor) }

    static func face(_ row: PostgresRow) throws -> StoredFace {
        let (faceId, imageId, external, w, h, l, t, confidence, bytes, version) =
            try row.decode((String, String, String?, Double, Double, Double, Double, Double, Data, String).self)
        let d = try SQLiteCollectionStore.descriptor(bytes)
        guard d.count == 128, d.allSatisfy(\.isFinite) else {
            throw APIError(.internalServerError, "the stored descriptor of face \(faceId) is damaged")
        }
        return StoredFace(faceId: faceId, imageId: imageId, externalImageId: external,
                          boundingBox: BoundingBox(width: Float(w), height: Float(h), left: Float(l), top: Float(t)),
                          confidence: Float(confidence), descriptor: d, indexFacesModelVersion: version)
    }
}
