import Foundation

/// IndexFaces's parameters.
public struct IndexFacesRequest: Sendable {
    public var collectionId: String
    public var image: ImageSource
    public var externalImageId: String?
    public var attributes: DetectionAttributes = .default
    /// At most this many faces are indexed, the largest; nil: all that pass the filter.
    public var maxFaces: Int?
    /// IndexFaces's default is AUTO.
    public var qualityFilter: QualityFilter = .auto

    public init(collectionId: String, image: ImageSource) {
        self.collectionId = collectionId
        self.image = image
    }
}

/// The API's `Attributes` list (DetectFaces, IndexFaces): DEFAULT, ALL, or single attributes. facescan
/// computes the DEFAULT members and, of the others, EyesOpen, MouthOpen, EyeDirection and Emotions; a
/// request for an attribute it cannot compute honestly (AgeRange, Smile, …) gets the DEFAULT members
/// without it.
public struct DetectionAttributes: Sendable, Equatable {
    public static let names = ["DEFAULT", "ALL", "AGE_RANGE", "BEARD", "EMOTIONS", "EYE_DIRECTION", "EYEGLASSES", "EYES_OPEN",
                               "GENDER", "MOUTH_OPEN", "MUSTACHE", "FACE_OCCLUDED", "SMILE", "SUNGLASSES"]
    public var requested: Set<String>

    public static let `default` = DetectionAttributes(requested: ["DEFAULT"])

    /// - Throws: InvalidParameterException for a name the API does not define.
    public init(_ list: [String]) throws {
        for n in list where !Self.names.contains(n) {
            throw APIError.invalidParameter("Attributes accepts \(Self.names.joined(separator: ", ")), not \"\(n)\"")
        }
        requested = Set(list.isEmpty ? ["DEFAULT"] : list)
    }

    init(requested: Set<String>) { self.requested = requested }

    /// What the analyser computes for this request.
    public var analysed: FaceAttributes { requested == ["DEFAULT"] ? .default : .all }

    /// `detail` with only the attributes asked for.
    public func trimmed(_ detail: FaceDetail) -> FaceDetail {
        guard !requested.contains("ALL") else { return detail }
        var d = detail
        if !requested.contains("EYES_OPEN") { d.eyesOpen = nil }
        if !requested.contains("MOUTH_OPEN") { d.mouthOpen = nil }
        if !requested.contains("EYE_DIRECTION") { d.eyeDirection = nil }
        if !requested.contains("EMOTIONS") { d.emotions = nil }
        return d
    }
}

/// The collection operations: CreateCollection, DeleteCollection, ListCollections, DescribeCollection,
/// IndexFaces, ListFaces, DeleteFaces, SearchFaces and SearchFacesByImage on a stored collection, plus
/// DetectFaces. Requests in, response documents out, errors as APIError; the command line and the
/// endpoint both call these. The models are loaded only by the operations that look at an image.
public struct CollectionOperations {
    public let store: CollectionStore
    let images: () throws -> ImageOperations

    /// - Parameter images: the image operations (with their models), asked for only when needed.
    public init(store: CollectionStore, images: @escaping () throws -> ImageOperations) {
        self.store = store
        self.images = images
    }

    /// The ARN facescan gives a collection (no AWS account or region: "local", account 000000000000).
    public static func arn(_ id: String) -> String { "arn:aws:rekognition:local:000000000000:collection/\(id)" }

    static func checkId(_ id: String) throws {
        guard APIValidation.isCollectionId(id) else {
            throw APIError.invalidParameter("CollectionId must be 1 to 255 letters, digits, _ . and -, not \"\(id)\"")
        }
    }

    public func createCollection(_ id: String) throws -> JSON {
        try Self.checkId(id)
        let info = try store.createCollection(id, faceModelVersion: FaceIdentity.modelVersion, creationTimestamp: Date().timeIntervalSince1970)
        return .object([("StatusCode", .integer(200)), ("CollectionArn", .string(Self.arn(id))),
                        ("FaceModelVersion", .string(info.faceModelVersion))])
    }

    public func deleteCollection(_ id: String) throws -> JSON {
        try Self.checkId(id)
        try store.deleteCollection(id)
        return .object([("StatusCode", .integer(200))])
    }

    public func describeCollection(_ id: String) throws -> JSON {
        try Self.checkId(id)
        let info = try store.describeCollection(id)
        return .object([("FaceCount", .integer(Int64(info.faceCount))), ("FaceModelVersion", .string(info.faceModelVersion)),
                        ("CollectionARN", .string(Self.arn(id))), ("CreationTimestamp", .double(info.creationTimestamp))])
    }

    public func listCollections(nextToken: String?, maxResults: Int?) throws -> JSON {
        let limit = try ListCursor.pageSize(maxResults)
        let page: [CollectionInfo], offset: Int
        switch try ListCursor.collectionsPosition(nextToken) {
        case .after(let key): (page, offset) = (try store.listCollections(after: key, limit: limit + 1), 0)
        case .offset(let n): (page, offset) = (Array(try store.listCollections(after: nil, limit: n + limit + 1).dropFirst(n)), n)
        }
        let shown = page.prefix(limit)
        var next: String? = nil
        if page.count > limit, let last = shown.last?.collectionId {
            next = ListCursor.collectionsToken(after: last) {
                // Only for an id too long to name in a token: its position among all collections.
                offset > 0 ? offset + shown.count : ((try? store.listCollections(after: nil, limit: Int.max))?
                    .firstIndex { $0.collectionId == last }).map { $0 + 1 } ?? 0
            }
        }
        return .members([
            ("CollectionIds", .array(shown.map { .string($0.collectionId) })),
            ("NextToken", next.map { .string($0) }),
            ("FaceModelVersions", .array(shown.map { .string($0.faceModelVersion) })),
        ])
    }

    public func listFaces(_ id: String, nextToken: String?, maxResults: Int?, faceIds: [String]?) throws -> JSON {
        try Self.checkId(id)
        try faceIds.map(Self.checkFaceIds)
        let limit = try ListCursor.pageSize(maxResults)
        let after = try ListCursor.facesKey(nextToken, id)
        let page = try store.listFaces(in: id, after: after, limit: limit + 1, faceIds: faceIds)
        let shown = page.prefix(limit)
        return .members([
            ("Faces", .array(shown.map(\.face.json))),
            ("NextToken", page.count > limit ? .string(ListCursor.facesToken(id, after: shown.last!.faceId)) : nil),
            ("FaceModelVersion", .string(FaceIdentity.modelVersion)),
        ])
    }

    static func checkFaceIds(_ ids: [String]) throws {
        guard (1...4096).contains(ids.count) else { throw APIError.invalidParameter("FaceIds takes 1 to 4096 FaceIds, not \(ids.count)") }
        for f in ids where !APIValidation.isFaceId(f) {
            throw APIError.invalidParameter("FaceId must be a lower-case UUID, not \"\(f)\"")
        }
    }

    public func deleteFaces(_ id: String, faceIds: [String]) throws -> JSON {
        try Self.checkId(id)
        try Self.checkFaceIds(faceIds)
        let deleted = try store.deleteFaces(faceIds, from: id)
        let gone = Set(deleted)
        var seen = Set<String>()
        let missing = faceIds.filter { !gone.contains($0) && seen.insert($0).inserted }
        return .members([
            // The API's FaceIdList has at least one member: none deleted is no DeletedFaces.
            ("DeletedFaces", deleted.isEmpty ? nil : .array(deleted.map { .string($0) })),
            ("UnsuccessfulFaceDeletions", missing.isEmpty ? nil : .array(missing.map {
                .object([("FaceId", .string($0)), ("Reasons", .array([.string("FACE_NOT_FOUND")]))])
            })),
        ])
    }

    /// SearchFaces: the collection faces most similar to one of its own faces (itself left out).
    public func searchFaces(_ id: String, faceId: String, faceMatchThreshold: Float = 80, maxFaces: Int = 4096) throws -> JSON {
        try Self.checkId(id)
        guard APIValidation.isFaceId(faceId) else { throw APIError.invalidParameter("FaceId must be a lower-case UUID, not \"\(faceId)\"") }
        let faces = try store.allFaces(in: id)
        guard let searched = faces.first(where: { $0.faceId == faceId }) else {
            throw APIError(.resourceNotFound, "collection \(id) has no face \(faceId)")
        }
        let others = FaceCollection(stored: faces.filter { $0.faceId != faceId })
        let matches = others.matches(for: searched.descriptor, threshold: faceMatchThreshold, maxFaces: maxFaces)
        return .object([("SearchedFaceId", .string(faceId)), ("FaceMatches", .array(matches.map(\.json))),
                        ("FaceModelVersion", .string(FaceIdentity.modelVersion))])
    }

    /// SearchFacesByImage against a stored collection.
    public func searchFacesByImage(_ id: String, _ r: SearchFacesByImageRequest) throws -> (response: SearchFacesByImageResponse, filtered: [FilteredFace]) {
        try Self.checkId(id)
        _ = try r.image.reader()
        _ = try store.describeCollection(id)
        return try images().searchFacesByImage(r, collection: FaceCollection(stored: try store.allFaces(in: id)))
    }

    /// IndexFaces: the faces of the image that pass the quality filter, largest first, up to MaxFaces,
    /// are added to the collection with new FaceIds and one new ImageId; the others are UnindexedFaces
    /// with the reasons.
    public func indexFaces(_ r: IndexFacesRequest) throws -> JSON {
        try Self.checkId(r.collectionId)
        if let e = r.externalImageId, !APIValidation.isExternalImageId(e) {
            throw APIError.invalidParameter("ExternalImageId must be 1 to 255 letters, digits, _ . - and :, not \"\(e)\"")
        }
        if let m = r.maxFaces, m < 1 { throw APIError.invalidParameter("MaxFaces must be at least 1, not \(m)") }
        _ = try r.image.reader()
        _ = try store.describeCollection(r.collectionId)
        let operations = try images()
        let (image, all) = try operations.faces(r.image, attributes: r.attributes.analysed)
        let imageId = APIValidation.newId()
        var records: [JSON] = [], unindexed: [JSON] = [], stored: [StoredFace] = []
        for f in all {
            let detail = r.attributes.trimmed(f.detail)
            var reasons = r.qualityFilter.reasons(f.detail, frameHeight: image.height)
            if reasons.isEmpty, let m = r.maxFaces, stored.count >= m { reasons = ["EXCEEDS_MAX_FACES"] }
            guard reasons.isEmpty else {
                unindexed.append(.object([("Reasons", .array(reasons.map { .string($0) })), ("FaceDetail", detail.json)]))
                continue
            }
            let face = StoredFace(faceId: APIValidation.newId(), imageId: imageId, externalImageId: r.externalImageId,
                                  boundingBox: f.detail.boundingBox, confidence: f.detail.confidence,
                                  descriptor: try operations.describer.describe(image, f.detection),
                                  indexFacesModelVersion: FaceIdentity.modelVersion)
            stored.append(face)
            records.append(.object([("Face", .members([
                ("FaceId", .string(face.faceId)), ("BoundingBox", face.boundingBox.json), ("ImageId", .string(imageId)),
                ("ExternalImageId", face.externalImageId.map { .string($0) }), ("Confidence", .float(face.confidence)),
            ])), ("FaceDetail", detail.json)]))
        }
        if !stored.isEmpty { try store.addFaces(stored, to: r.collectionId) }
        return .object([("FaceRecords", .array(records)), ("FaceModelVersion", .string(FaceIdentity.modelVersion)),
                        ("UnindexedFaces", .array(unindexed))])
    }

    /// DetectFaces: every face of the image, largest first.
    public static func detectFaces(_ image: ImageSource, attributes: DetectionAttributes, operations: () throws -> ImageOperations) throws -> JSON {
        _ = try image.reader()
        let (_, faces) = try operations().faces(image, attributes: attributes.analysed)
        return .object([("FaceDetails", .array(faces.map { attributes.trimmed($0.detail).json }))])
    }
}

/// NextTokens of ListCollections and ListFaces: keyset cursors, so pages stay right while collections or
/// faces are added or removed between calls. A ListFaces token is "f.", 8 hex digits of the collection's
/// SHA-256 and the page's last FaceId (47 characters); a ListCollections token is "c." and the page's last
/// CollectionId (for an id too long for that, a position). Both fit the API's 255-character NextToken. A token of another listing or collection, or
/// one that is not a token, is an InvalidPaginationTokenException.
enum ListCursor {
    static func pageSize(_ maxResults: Int?) throws -> Int {
        guard let m = maxResults, m != 0 else { return 1000 }
        guard (1...4096).contains(m) else { throw APIError.invalidParameter("MaxResults must be 0 to 4096, not \(m)") }
        return m
    }

    static let bad = APIError(.invalidPaginationToken, "NextToken is not a token of this listing")

    static func facesScope(_ collectionId: String) -> String { "f." + String(Digest.sha256(Array(collectionId.utf8)).hexString.prefix(8)) + "." }

    /// "c." and the page's last CollectionId, or, when that would pass the API's 255 characters (an id of
    /// more than 253), "n." and the number of collections listed so far.
    static func collectionsToken(after id: String, position: () -> Int) -> String { id.utf8.count <= 253 ? "c." + id : "n.\(position())" }

    enum Position { case after(String?), offset(Int) }

    /// Where a ListCollections token continues.
    static func collectionsPosition(_ token: String?) throws -> Position {
        guard let token, !token.isEmpty else { return .after(nil) }
        if token.hasPrefix("n."), let n = Int(token.dropFirst(2)), n >= 0, n <= 1_000_000 { return .offset(n) }
        guard token.hasPrefix("c."), APIValidation.isCollectionId(String(token.dropFirst(2))) else { throw bad }
        return .after(String(token.dropFirst(2)))
    }

    static func facesToken(_ collectionId: String, after faceId: String) -> String { facesScope(collectionId) + faceId }

    /// The FaceId a ListFaces token of `collectionId` continues after (nil: the first page).
    static func facesKey(_ token: String?, _ collectionId: String) throws -> String? {
        guard let token, !token.isEmpty else { return nil }
        let scope = facesScope(collectionId)
        guard token.hasPrefix(scope), APIValidation.isFaceId(String(token.dropFirst(scope.count))) else { throw bad }
        return String(token.dropFirst(scope.count))
    }
}
