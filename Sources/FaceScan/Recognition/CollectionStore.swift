import Foundation

/// A face IndexFaces stored in a collection: the API's `Face` members and the descriptor it is matched by.
public struct StoredFace: Sendable, Equatable {
    public var faceId: String
    public var imageId: String
    public var externalImageId: String?
    public var boundingBox: BoundingBox
    public var confidence: Float
    public var descriptor: [Float]
    public var indexFacesModelVersion: String

    public init(faceId: String, imageId: String, externalImageId: String?, boundingBox: BoundingBox, confidence: Float,
                descriptor: [Float], indexFacesModelVersion: String) {
        self.faceId = faceId
        self.imageId = imageId
        self.externalImageId = externalImageId
        self.boundingBox = boundingBox
        self.confidence = confidence
        self.descriptor = descriptor
        self.indexFacesModelVersion = indexFacesModelVersion
    }

    /// The API's `Face`.
    public var face: CollectionFace {
        CollectionFace(faceId: faceId, boundingBox: boundingBox, imageId: imageId, externalImageId: externalImageId,
                       confidence: confidence, indexFacesModelVersion: indexFacesModelVersion)
    }
}

/// What DescribeCollection reports of a collection.
public struct CollectionInfo: Sendable, Equatable {
    public var collectionId: String
    public var faceModelVersion: String
    /// Seconds since the Unix epoch.
    public var creationTimestamp: Double
    public var faceCount: Int

    public init(collectionId: String, faceModelVersion: String, creationTimestamp: Double, faceCount: Int) {
        self.collectionId = collectionId
        self.faceModelVersion = faceModelVersion
        self.creationTimestamp = creationTimestamp
        self.faceCount = faceCount
    }
}

/// Where collections live. The operations (`CollectionOperations`) are written against this; the
/// embedded backend is SQLite (FaceScanStore), a shared one can be a database server. Every method is
/// one transaction: it happens whole or not at all, and concurrent processes see one or the other.
///
/// Errors are APIErrors: ResourceNotFoundException for a collection that does not exist,
/// ResourceAlreadyExistsException for creating one that does, InternalServerError for a store that
/// cannot be read or written.
public protocol CollectionStore: AnyObject, Sendable {
    /// How a worker process opens the same store again (`CollectionStores.open`), e.g. "sqlite:/path".
    var location: String { get }
    func createCollection(_ id: String, faceModelVersion: String, creationTimestamp: Double) throws -> CollectionInfo
    func deleteCollection(_ id: String) throws
    func describeCollection(_ id: String) throws -> CollectionInfo
    /// Collections sorted by CollectionId, those after `after` (exclusive), at most `limit`.
    func listCollections(after: String?, limit: Int) throws -> [CollectionInfo]
    /// Adds faces to an existing collection.
    func addFaces(_ faces: [StoredFace], to id: String) throws
    /// Faces sorted by FaceId, after `after` (exclusive), at most `limit`; only those in `faceIds` when given.
    func listFaces(in id: String, after: String?, limit: Int, faceIds: [String]?) throws -> [StoredFace]
    /// Every face of the collection, for matching.
    func allFaces(in id: String) throws -> [StoredFace]
    /// Deletes the faces that exist; returns their FaceIds.
    func deleteFaces(_ faceIds: [String], from id: String) throws -> [String]
}

/// Opens a store from its `location`. The library knows no backend: the program that links one
/// registers it (the facescan executable registers SQLite), so that a job's worker process can open the
/// store its job names.
public enum CollectionStores {
    private static let backends = SchemeRegistry<CollectionStore>()

    /// Registers the backend for locations "SCHEME:REST".
    public static func register(scheme: String, _ open: @escaping (String) throws -> CollectionStore) {
        backends.register(scheme, open)
    }

    /// The store at `location`.
    /// - Throws: InternalServerError when no backend handles its scheme.
    public static func open(_ location: String) throws -> CollectionStore {
        let scheme = String(location.prefix { $0 != ":" })
        guard let opener = backends.opener(scheme) else { throw APIError(.internalServerError, "no collection store backend for \"\(location)\"") }
        return try opener(String(location.dropFirst(scheme.count + 1)))
    }
}
