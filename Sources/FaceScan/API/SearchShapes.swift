/// Rekognition's `Face`: a face stored in a collection (here: found in one of the collection's images).
public struct CollectionFace: Sendable, JSONRepresentable {
    public var faceId: String
    public var boundingBox: BoundingBox
    public var imageId: String
    public var externalImageId: String?
    /// Percent that this is a face (as FaceDetail.Confidence).
    public var confidence: Float
    public var indexFacesModelVersion: String

    public init(faceId: String, boundingBox: BoundingBox, imageId: String, externalImageId: String?, confidence: Float,
                indexFacesModelVersion: String) {
        self.faceId = faceId
        self.boundingBox = boundingBox
        self.imageId = imageId
        self.externalImageId = externalImageId
        self.confidence = confidence
        self.indexFacesModelVersion = indexFacesModelVersion
    }

    public var json: JSON {
        .members([
            ("FaceId", .string(faceId)), ("BoundingBox", boundingBox.json), ("ImageId", .string(imageId)),
            ("ExternalImageId", externalImageId.map { .string($0) }), ("Confidence", .float(confidence)),
            ("IndexFacesModelVersion", .string(indexFacesModelVersion)),
        ])
    }
}

/// Rekognition's `FaceMatch`.
public struct FaceMatch: Sendable, JSONRepresentable {
    public var similarity: Float
    public var face: CollectionFace
    public var json: JSON { .object([("Similarity", .float(similarity)), ("Face", face.json)]) }
}

/// Rekognition's `PersonDetail`: a person tracked through the video.
public struct PersonDetail: Sendable, JSONRepresentable {
    public var index: Int64
    public var boundingBox: BoundingBox
    public var face: FaceDetail
    public var json: JSON { .object([("Index", .integer(index)), ("BoundingBox", boundingBox.json), ("Face", face.json)]) }
}

/// Rekognition's `PersonMatch`: a person at a time in the video, with the collection faces matched.
public struct PersonMatch: Sendable, JSONRepresentable {
    public var timestamp: Int64
    public var person: PersonDetail
    public var faceMatches: [FaceMatch]
    public var json: JSON {
        .object([("Timestamp", .integer(timestamp)), ("Person", person.json), ("FaceMatches", .array(faceMatches.map(\.json)))])
    }
}

/// Rekognition's `GetFaceSearchResponse`.
public struct GetFaceSearchResponse: Sendable, JSONRepresentable {
    public var jobStatus: JobStatus
    public var statusMessage: String?
    public var nextToken: String?
    public var videoMetadata: VideoMetadata?
    public var persons: [PersonMatch]

    public init(jobStatus: JobStatus, statusMessage: String? = nil, nextToken: String? = nil, videoMetadata: VideoMetadata?, persons: [PersonMatch]) {
        self.jobStatus = jobStatus
        self.statusMessage = statusMessage
        self.nextToken = nextToken
        self.videoMetadata = videoMetadata
        self.persons = persons
    }

    public var json: JSON {
        .members([
            ("JobStatus", .string(jobStatus.rawValue)),
            ("StatusMessage", statusMessage.map { .string($0) }),
            ("NextToken", nextToken.map { .string($0) }),
            ("VideoMetadata", videoMetadata?.json),
            ("Persons", .array(persons.map(\.json))),
        ])
    }
}

/// Rekognition's `SearchFacesByImageResponse`.
public struct SearchFacesByImageResponse: Sendable, JSONRepresentable {
    public var searchedFaceBoundingBox: BoundingBox
    public var searchedFaceConfidence: Float
    public var faceMatches: [FaceMatch]
    public var faceModelVersion: String

    public init(searchedFaceBoundingBox: BoundingBox, searchedFaceConfidence: Float, faceMatches: [FaceMatch], faceModelVersion: String) {
        self.searchedFaceBoundingBox = searchedFaceBoundingBox
        self.searchedFaceConfidence = searchedFaceConfidence
        self.faceMatches = faceMatches
        self.faceModelVersion = faceModelVersion
    }

    public var json: JSON {
        .object([
            ("SearchedFaceBoundingBox", searchedFaceBoundingBox.json),
            ("SearchedFaceConfidence", .float(searchedFaceConfidence)),
            ("FaceMatches", .array(faceMatches.map(\.json))),
            ("FaceModelVersion", .string(faceModelVersion)),
        ])
    }
}

/// Rekognition's `ComparedFace` (target faces of CompareFaces).
public struct ComparedFace: Sendable, JSONRepresentable {
    public var detail: FaceDetail
    public init(detail: FaceDetail) { self.detail = detail }
    public var json: JSON {
        .members([
            ("BoundingBox", detail.boundingBox.json),
            ("Confidence", .float(detail.confidence)),
            ("Landmarks", detail.landmarks.map { .array($0.map(\.json)) }),
            ("Pose", detail.pose?.json),
            ("Quality", detail.quality?.json),
        ])
    }
}

/// Rekognition's `CompareFacesResponse`.
public struct CompareFacesResponse: Sendable, JSONRepresentable {
    public var sourceBoundingBox: BoundingBox
    public var sourceConfidence: Float
    public var matches: [(similarity: Float, face: ComparedFace)]
    public var unmatched: [ComparedFace]

    public init(sourceBoundingBox: BoundingBox, sourceConfidence: Float, matches: [(similarity: Float, face: ComparedFace)], unmatched: [ComparedFace]) {
        self.sourceBoundingBox = sourceBoundingBox
        self.sourceConfidence = sourceConfidence
        self.matches = matches
        self.unmatched = unmatched
    }

    public var json: JSON {
        .object([
            ("SourceImageFace", .object([("BoundingBox", sourceBoundingBox.json), ("Confidence", .float(sourceConfidence))])),
            ("FaceMatches", .array(matches.map { .object([("Similarity", .float($0.similarity)), ("Face", $0.face.json)]) })),
            ("UnmatchedFaces", .array(unmatched.map(\.json))),
        ])
    }
}
