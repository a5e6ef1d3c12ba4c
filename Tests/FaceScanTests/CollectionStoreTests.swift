import Foundation
import Testing
@testable import FaceScan
@testable import FaceScanStore

/// The SQLite collection store on its own: what it keeps, its errors, its schema guard, its file
/// permissions, and many processes writing one database at once.
@Suite struct CollectionStoreTests {
    static func store(_ name: String = #function) throws -> SQLiteCollectionStore {
        try SQLiteCollectionStore(path: TestSupport.scratch(name).appendingPathComponent("db/collections.sqlite").path)
    }

    static func face(_ n: Int, external: String? = "x") -> StoredFace {
        StoredFace(faceId: String(format: "%08x-0000-4000-8000-%012x", n, n), imageId: "11111111-2222-4333-8444-555555555555",
                   externalImageId: external, boundingBox: BoundingBox(width: 0.25, height: 0.5, left: -0.125, top: 0.75),
                   confidence: 99.5, descriptor: (0..<128).map { Float($0) * 0.001 - 0.05 + Float(n) }, indexFacesModelVersion: "1.0")
    }

    @Test func keepsWhatIsStoredExactly() throws {
        let s = try Self.store()
        _ = try s.createCollection("c1", faceModelVersion: "1.0", creationTimestamp: 1_700_000_000.25)
        let faces = [Self.face(3), Self.face(1, external: nil), Self.face(2)]
        try s.addFaces(faces, to: "c1")
        #expect(try s.allFaces(in: "c1") == faces.sorted { $0.faceId < $1.faceId }, "descriptors, boxes and ids round-trip bit for bit")
        let info = try s.describeCollection("c1")
        #expect(info.faceCount == 3 && info.creationTimestamp == 1_700_000_000.25 && info.faceModelVersion == "1.0")
        // Keyset pages: after the first FaceId, 1 at a time; a FaceIds filter.
        let first = try s.listFaces(in: "c1", after: nil, limit: 1, faceIds: nil)
        #expect(first.map(\.faceId) == [Self.face(1).faceId])
        #expect(try s.listFaces(in: "c1", after: first[0].faceId, limit: 5, faceIds: nil).map(\.faceId) == [Self.face(2).faceId, Self.face(3).faceId])
        #expect(try s.listFaces(in: "c1", after: nil, limit: 5, faceIds: [Self.face(3).faceId, "nope"]).map(\.faceId) == [Self.face(3).faceId])
        #expect(try s.deleteFaces([Self.face(2).faceId, Self.face(9).faceId], from: "c1") == [Self.face(2).faceId])
        #expect(try s.describeCollection("c1").faceCount == 2)
    }

    @Test func errorsAreTheAPIs() throws {
        let s = try Self.store()
        _ = try s.createCollection("a", faceModelVersion: "1.0", creationTimestamp: 0)
        #expect(throws: APIError.self) { try s.createCollection("a", faceModelVersion: "1.0", creationTimestamp: 0) }
        do { _ = try s.createCollection("a", faceModelVersion: "1.0", creationTimestamp: 0) } catch let e as APIError {
            #expect(e.kind == .resourceAlreadyExists)
        }
        for body in [{ try s.describeCollection("b") as Any }, { try s.allFaces(in: "b") as Any }, { try s.deleteCollection("b") as Any },
                     { try s.addFaces([Self.face(1)], to: "b") as Any }, { try s.deleteFaces([Self.face(1).faceId], from: "b") as Any }] {
            do { _ = try body(); Issue.record("a missing collection must be an error") } catch let e as APIError {
                #expect(e.kind == .resourceNotFound && e.message.contains("b"), "\(e)")
            }
        }
        // Deleting a collection deletes its faces: a new collection of the same name is empty.
        try s.addFaces([Self.face(1)], to: "a")
        try s.deleteCollection("a")
        _ = try s.createCollection("a", faceModelVersion: "1.0", creationTimestamp: 0)
        #expect(try s.describeCollection("a").faceCount == 0)
        // A FaceId is unique: adding it twice fails whole (the batch is one transaction).
        try s.addFaces([Self.face(5)], to: "a")
        #expect(throws: APIError.self) { try s.addFaces([Self.face(6), Self.face(5)], to: "a") }
        #expect(try s.allFaces(in: "a").map(\.faceId) == [Self.face(5).faceId], "nothing of the failed batch was kept")
    }

    @Test func fileIsPrivateAndNewerSchemasAreRefused() throws {
        let s = try Self.store()
        _ = try s.createCollection("a", faceModelVersion: "1.0", creationTimestamp: 0)
        var st = stat()
        #expect(stat(s.path, &st) == 0 && st.st_mode & 0o777 == 0o600, "descriptors are biometric data: 0600")
        #expect(stat((s.path as NSString).deletingLastPathComponent, &st) == 0 && st.st_mode & 0o777 == 0o700)
        // A newer facescan's migration: this one must not write to the database.
        let r = try TestSupport.run(["/usr/bin/sqlite3", s.path, "INSERT INTO grdb_migrations VALUES ('v2-from-the-future')"])
        guard r.status == 0 else { return }  // no sqlite3 CLI: nothing to test with
        let again = try SQLiteCollectionStore(path: s.path)
        do { _ = try again.createCollection("b", faceModelVersion: "1.0", creationTimestamp: 0); Issue.record("must refuse") } catch let e as APIError {
            #expect(e.kind == .internalServerError && e.message.contains("newer schema"), "\(e)")
        }
    }

    @Test func aFileThatIsNotADatabaseIsAnError() throws {
        let path = TestSupport.scratch().appendingPathComponent("collections.sqlite").path
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }).write(to: URL(fileURLWithPath: path))
        do { _ = try SQLiteCollectionStore(path: path); Issue.record("must fail") } catch let e as APIError {
            #expect(e.kind == .internalServerError && e.message.contains(path), "\(e)")
        }
    }

    /// 16 processes create collections in one database at once: each succeeds, none is lost.
    @Test func concurrentProcessesShareOneDatabase() throws {
        let home = TestSupport.scratch().appendingPathComponent("home").path
        var env = ProcessInfo.processInfo.environment
        env["FACESCAN_HOME"] = home
        let results = TestSupport.Results(count: 16)
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            results.set(i, try? TestSupport.facescan(["create-collection", "--collection-id", "c\(i)"], environment: env))
        }
        for i in 0..<16 { #expect(results.get(i)?.status == 0, "c\(i): \(results.get(i)?.stderr ?? "did not run")") }
        let list = try parseJSON(try TestSupport.facescan(["list-collections"], environment: env).stdout)
        #expect((list["CollectionIds"] as? [String])?.sorted() == (0..<16).map { "c\($0)" }.sorted())
    }
}
