import FaceScan
import Foundation

/// What the operations share: the collection store, the engines, the S3 root, the job store.
final class ServerContext: @unchecked Sendable {
    let store: CollectionStore
    let engines: EnginePool
    let s3: S3Root
    let jobs: JobStore
    let notificationCommand: String?
    /// The executable a job's worker process runs (this facescan).
    let executable: String

    init(store: CollectionStore, engines: EnginePool, s3: S3Root, jobs: JobStore, notificationCommand: String?, executable: String) {
        self.store = store
        self.engines = engines
        self.s3 = s3
        self.jobs = jobs
        self.notificationCommand = notificationCommand
        self.executable = executable
    }

    var collections: CollectionOperations {
        CollectionOperations(store: store, images: { throw APIError(.internalServerError, "no engine checked out") })
    }

    /// The collection operations with an engine checked out for the duration of `body`.
    func withEngine<T>(_ body: (CollectionOperations, ImageOperations) throws -> T) throws -> T {
        try engines.with { engine in try body(CollectionOperations(store: store, images: { engine }), engine) }
    }

    /// An `Image` member: Bytes (base64, decoded in memory) or an S3Object under the S3 root.
    func image(_ m: RequestMembers, _ name: String) throws -> ImageSource {
        let image = try m.required(name) { try m.object($0) }
        let s3 = try image.object("S3Object")
        switch (image.value("Bytes"), s3) {
        case (let bytes?, nil):
            guard case .string(let text) = bytes else { throw image.bad("Bytes", "must be base64 text") }
            guard text.utf8.count <= (VideoReader.maxImageBytes + 2) / 3 * 4 + 4 else {
                throw APIError(.imageTooLarge, "\(m.operation): \(name).Bytes is over the 5 MB limit for image bytes")
            }
            guard let data = Data(base64Encoded: text) else { throw image.bad("Bytes", "is not valid base64") }
            guard !data.isEmpty else { throw image.bad("Bytes", "must not be empty") }
            return .bytes([UInt8](data))
        case (nil, let object?):
            let o = try self.s3.path(object)
            return .object(path: o.path, name: "s3://\(o.bucket)/\(o.name)")
        default:
            throw APIError.invalidParameter("\(m.operation): \(name) must have exactly one of Bytes and S3Object")
        }
    }
}

/// Every operation the endpoint answers: the request document's members in, the response document out.
enum OperationTable {
    typealias Handler = @Sendable (RequestMembers, ServerContext) throws -> JSON

    static let all: [String: Handler] = [
        "CreateCollection": { m, c in try c.collections.createCollection(try collectionId(m)) },
        "DeleteCollection": { m, c in try c.collections.deleteCollection(try collectionId(m)) },
        "DescribeCollection": { m, c in try c.collections.describeCollection(try collectionId(m)) },
        "ListCollections": { m, c in
            try c.collections.listCollections(nextToken: try m.string("NextToken", max: 255), maxResults: try m.integer("MaxResults", min: 0, max: 4096))
        },
        "ListFaces": { m, c in
            if try m.string("UserId") != nil { throw APIError.invalidParameter("ListFaces: UserId is not supported (facescan has no users)") }
            return try c.collections.listFaces(try collectionId(m), nextToken: try m.string("NextToken", max: 255),
                                               maxResults: try m.integer("MaxResults", min: 0, max: 4096), faceIds: try m.strings("FaceIds"))
        },
        "DeleteFaces": { m, c in
            try c.collections.deleteFaces(try collectionId(m), faceIds: try m.required("FaceIds") { try m.strings($0) })
        },
        "SearchFaces": { m, c in
            try c.collections.searchFaces(try collectionId(m), faceId: try m.required("FaceId") { try m.string($0) },
                                          faceMatchThreshold: try m.percent("FaceMatchThreshold") ?? 80,
                                          maxFaces: try m.integer("MaxFaces", min: 1, max: 4096) ?? 4096)
        },
        "SearchFacesByImage": { m, c in
            let id = try collectionId(m)
            var r = SearchFacesByImageRequest(image: try c.image(m, "Image"))
            r.faceMatchThreshold = try m.percent("FaceMatchThreshold") ?? 80
            r.maxFaces = try m.integer("MaxFaces", min: 1, max: 4096) ?? 4096
            r.qualityFilter = try qualityFilter(m) ?? .none
            return try c.withEngine { ops, _ in try ops.searchFacesByImage(id, r).response.json }
        },
        "IndexFaces": { m, c in
            var r = IndexFacesRequest(collectionId: try collectionId(m), image: try c.image(m, "Image"))
            r.externalImageId = try m.string("ExternalImageId", min: 1, max: 255)
            r.attributes = try DetectionAttributes(try m.strings("DetectionAttributes") ?? [])
            r.maxFaces = try m.integer("MaxFaces", min: 1)
            r.qualityFilter = try qualityFilter(m) ?? .auto
            return try c.withEngine { ops, _ in try ops.indexFaces(r) }
        },
        "DetectFaces": { m, c in
            let image = try c.image(m, "Image")
            let attributes = try DetectionAttributes(try m.strings("Attributes") ?? [])
            return try c.withEngine { _, engine in try CollectionOperations.detectFaces(image, attributes: attributes, operations: { engine }) }
        },
        "CompareFaces": { m, c in
            var r = CompareFacesRequest(source: try c.image(m, "SourceImage"), target: try c.image(m, "TargetImage"))
            r.similarityThreshold = try m.percent("SimilarityThreshold") ?? 80
            r.qualityFilter = try qualityFilter(m) ?? .none
            return try c.withEngine { _, engine in try engine.compareFaces(r).response.json }
        },
        "StartFaceDetection": { m, c in try VideoJobs.startFaceDetection(m, c) },
        "StartFaceSearch": { m, c in try VideoJobs.startFaceSearch(m, c) },
        "GetFaceDetection": { m, c in try VideoJobs.get(.faceDetection, m, c) },
        "GetFaceSearch": { m, c in try VideoJobs.get(.faceSearch, m, c) },
    ]

    static func collectionId(_ m: RequestMembers) throws -> String {
        let id = try m.required("CollectionId") { try m.string($0) }
        guard APIValidation.isCollectionId(id) else {
            throw m.bad("CollectionId", "must be 1 to 255 letters, digits, _ . and -, not \"\(id)\"")
        }
        return id
    }

    static func qualityFilter(_ m: RequestMembers) throws -> QualityFilter? {
        try m.choice("QualityFilter", QualityFilter.allCases.map(\.rawValue)).flatMap(QualityFilter.init(rawValue:))
    }
}

/// The engines (models loaded once each) that image operations check out, at most `limit` at a time;
/// more concurrent requests wait for one to be free.
final class EnginePool: @unchecked Sendable {
    let limit: Int
    private let make: () throws -> ImageOperations
    private let condition = NSCondition()
    private var idle: [ImageOperations] = []
    private var created = 0

    init(limit: Int, make: @escaping () throws -> ImageOperations) {
        self.limit = max(1, limit)
        self.make = make
    }

    func with<T>(_ body: (ImageOperations) throws -> T) throws -> T {
        condition.lock()
        while idle.isEmpty && created >= limit { condition.wait() }
        var engine = idle.popLast()
        if engine == nil { created += 1 }
        condition.unlock()
        if engine == nil {
            do {
                engine = try make()
            } catch {
                condition.lock(); created -= 1; condition.signal(); condition.unlock()
                throw error
            }
        }
        defer { condition.lock(); idle.append(engine!); condition.signal(); condition.unlock() }
        return try body(engine!)
    }
}
