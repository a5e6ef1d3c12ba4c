import FaceScan
import FaceScanStore
import Foundation

/// The collection verbs (CreateCollection … SearchFaces) and DetectFaces: thin adapters from options to
/// `CollectionOperations` over the embedded SQLite store, which `facescan serve` shares.
extension CommandTable {
    static let collectionId = OptionSpec(
        "collection-id", .text(accepts: "a CollectionId: 1 to 255 letters, digits, _ . and -", valid: { APIValidation.isCollectionId($0) }),
        valueName: "ID", api: "CollectionId", help: "a collection made by create-collection and filled by index-faces")
    static let requiredCollectionId = OptionSpec(
        "collection-id", .text(accepts: "a CollectionId: 1 to 255 letters, digits, _ . and -", valid: { APIValidation.isCollectionId($0) }),
        valueName: "ID", api: "CollectionId", required: true, help: "the collection")
    static let faceIds = OptionSpec(
        "face-ids", .text(accepts: "FaceIds (lower-case UUIDs) separated by commas", valid: { v in
            v.split(separator: ",", omittingEmptySubsequences: false).allSatisfy { APIValidation.isFaceId(String($0)) }
        }), valueName: "ID,...", api: "FaceIds", help: "faces, as index-faces printed their FaceId")
    static let listMaxResults = OptionSpec(
        "max-results", .integer(min: 0, max: 4096), valueName: "N", api: "MaxResults", default: "1000",
        help: "items per page (0: the default)")
    static let detectionAttributes = OptionSpec(
        "attributes", .choice(["DEFAULT", "ALL"]), valueName: "SET", api: "Attributes", default: "DEFAULT",
        help: "DEFAULT: BoundingBox, Confidence, Landmarks, Pose, Quality; ALL adds EyesOpen, MouthOpen, EyeDirection, Emotions")

    /// The collection store the command names (`--store`, FACESCAN_STORE, else this user's database).
    static func openStore(_ args: ParsedArguments) throws -> CollectionStore {
        try StoreOption.collections(args)
    }

    /// The operations over that store; the models load only for the verbs that read an image.
    static func collectionOperations(_ args: ParsedArguments) throws -> CollectionOperations {
        CollectionOperations(store: try openStore(args)) {
            ImageOperations(analyzer: try FaceAnalyzer(), describer: try FaceDescriberFactory.make(store: ModelStore()))
        }
    }

    static func faceIdList(_ args: ParsedArguments) -> [String]? {
        args.string("face-ids").map { $0.split(separator: ",").map(String.init) }
    }

    static let databaseNote = """
        Collections live in one SQLite database, collections.sqlite in the job store's folder \
        ($FACESCAN_HOME, else $XDG_STATE_HOME/facescan, else ~/.local/state/facescan), shared with \
        `facescan serve`; with --store postgres://… (or FACESCAN_STORE) in that PostgreSQL database, \
        shared by every machine that uses it.
        """

    static let createCollection = CommandSpec(
        name: "create-collection",
        summary: "Create an empty face collection; print a CreateCollection response.",
        details: "Prints StatusCode, CollectionArn and FaceModelVersion. A CollectionId that exists is a ResourceAlreadyExistsException. " + databaseNote,
        options: [requiredCollectionId, StoreOption.option],
        examples: ["facescan create-collection --collection-id staff"],
        run: { args, _ in try collectionOperations(args).createCollection(args.string("collection-id")!) })

    static let deleteCollection = CommandSpec(
        name: "delete-collection",
        summary: "Delete a collection and its faces; print a DeleteCollection response.",
        details: "Prints StatusCode 200. A collection that does not exist is a ResourceNotFoundException. " + databaseNote,
        options: [requiredCollectionId, StoreOption.option],
        examples: ["facescan delete-collection --collection-id staff"],
        run: { args, _ in try collectionOperations(args).deleteCollection(args.string("collection-id")!) })

    static let describeCollection = CommandSpec(
        name: "describe-collection",
        summary: "Print a DescribeCollection response: FaceCount, FaceModelVersion, CollectionARN, CreationTimestamp.",
        details: "CreationTimestamp is in seconds since the Unix epoch, as the JSON protocol sends timestamps. " + databaseNote,
        options: [requiredCollectionId, StoreOption.option],
        examples: ["facescan describe-collection --collection-id staff | jq .FaceCount"],
        run: { args, _ in try collectionOperations(args).describeCollection(args.string("collection-id")!) })

    static let listCollections = CommandSpec(
        name: "list-collections",
        summary: "List the collections; print a ListCollections response.",
        details: "Prints CollectionIds (sorted) and their FaceModelVersions, a page at a time; NextToken leads to the next page. " + databaseNote,
        options: [listMaxResults, JobOptions.nextToken, StoreOption.option],
        examples: ["facescan list-collections | jq -r '.CollectionIds[]'"],
        run: { args, _ in try collectionOperations(args).listCollections(nextToken: args.string("next-token"), maxResults: args.int("max-results")) })

    static let indexFaces = CommandSpec(
        name: "index-faces",
        summary: "Add the faces of an image to a collection; print an IndexFaces response.",
        details: """
        Finds the faces of IMAGE, largest first, and adds those that pass --quality-filter (AUTO by \
        default, as the service) to the collection, at most --max-faces of them, each with a new FaceId, \
        all with one new ImageId and the --external-image-id given. Prints FaceRecords (Face and \
        FaceDetail of each face indexed), FaceModelVersion and UnindexedFaces (each face left out, with \
        the API's Reasons: LOW_CONFIDENCE, SMALL_BOUNDING_BOX, LOW_SHARPNESS, LOW_BRIGHTNESS, \
        EXTREME_POSE, EXCEEDS_MAX_FACES). An image without a face indexes nothing.
        """ + " " + databaseNote,
        positionals: [PositionalSpec("IMAGE", help: "an image (or a video: its first frame)")],
        options: [requiredCollectionId,
                  OptionSpec("external-image-id", .text(accepts: "1 to 255 letters, digits, _ . - and :", valid: { APIValidation.isExternalImageId($0) }),
                             valueName: "NAME", api: "ExternalImageId", help: "your name for the image, returned with its faces"),
                  OptionSpec("max-faces", .integer(min: 1, max: nil), valueName: "N", api: "MaxFaces", help: "index at most the N largest faces"),
                  OptionSpec("quality-filter", .choice(QualityFilter.allCases.map(\.rawValue)), valueName: "BAR", api: "QualityFilter", default: "AUTO",
                             help: "leave out faces below this quality bar (README: \"Quality filter\")"),
                  OptionSpec("detection-attributes", .choice(["DEFAULT", "ALL"]), valueName: "SET", api: "DetectionAttributes", default: "DEFAULT",
                             help: "the FaceDetail attributes printed"), StoreOption.option],
        examples: ["facescan index-faces --collection-id staff --external-image-id alice alice.jpg | jq -r '.FaceRecords[].Face.FaceId'"],
        run: { args, _ in
            var r = IndexFacesRequest(collectionId: args.string("collection-id")!, image: .file(args.positionals[0]))
            r.externalImageId = args.string("external-image-id")
            r.maxFaces = args.int("max-faces")
            r.qualityFilter = QualityFilter(rawValue: args.string("quality-filter") ?? "AUTO") ?? .auto
            r.attributes = try DetectionAttributes([args.string("detection-attributes") ?? "DEFAULT"])
            return try collectionOperations(args).indexFaces(r)
        })

    static let listFaces = CommandSpec(
        name: "list-faces",
        summary: "List the faces of a collection; print a ListFaces response.",
        details: "Prints Faces (sorted by FaceId) a page at a time, NextToken, FaceModelVersion; --face-ids lists only those faces. " + databaseNote,
        options: [requiredCollectionId, listMaxResults, JobOptions.nextToken, faceIds, StoreOption.option],
        examples: ["facescan list-faces --collection-id staff | jq -r '.Faces[] | [.FaceId, .ExternalImageId] | @tsv'"],
        run: { args, _ in
            try collectionOperations(args).listFaces(args.string("collection-id")!, nextToken: args.string("next-token"),
                                                 maxResults: args.int("max-results"), faceIds: faceIdList(args))
        })

    static let deleteFaces = CommandSpec(
        name: "delete-faces",
        summary: "Delete faces from a collection; print a DeleteFaces response.",
        details: "Prints DeletedFaces and, for FaceIds the collection does not have, UnsuccessfulFaceDeletions with Reasons FACE_NOT_FOUND. " + databaseNote,
        options: [requiredCollectionId, OptionSpec(faceIds.name, faceIds.kind, valueName: faceIds.valueName, api: "FaceIds", required: true, help: faceIds.help),
                  StoreOption.option],
        examples: ["facescan delete-faces --collection-id staff --face-ids 0f6b9c52-4a49-4e4a-9a0b-7d2bdfb3e7a1"],
        run: { args, _ in try collectionOperations(args).deleteFaces(args.string("collection-id")!, faceIds: faceIdList(args) ?? []) })

    static let searchFaces = CommandSpec(
        name: "search-faces",
        summary: "Search a collection for the faces most like one of its faces; print a SearchFaces response.",
        details: "Prints SearchedFaceId, FaceMatches (the other faces with at least --face-match-threshold Similarity, best first, at most --max-faces) and FaceModelVersion. A FaceId the collection does not have is a ResourceNotFoundException. " + databaseNote,
        options: [requiredCollectionId,
                  OptionSpec("face-id", .text(accepts: "a FaceId (a lower-case UUID)", valid: { APIValidation.isFaceId($0) }), valueName: "ID",
                             api: "FaceId", required: true, help: "the face to search with"),
                  faceMatchThreshold,
                  OptionSpec("max-faces", .integer(min: 1, max: 4096), valueName: "N", api: "MaxFaces", default: "4096", help: "at most this many matches"),
                  StoreOption.option],
        examples: ["facescan search-faces --collection-id staff --face-id ID | jq '.FaceMatches[].Similarity'"],
        run: { args, _ in
            try collectionOperations(args).searchFaces(args.string("collection-id")!, faceId: args.string("face-id")!,
                                                   faceMatchThreshold: Float(args.double("face-match-threshold") ?? 80),
                                                   maxFaces: args.int("max-faces") ?? 4096)
        })

    static let detectFaces = CommandSpec(
        name: "detect-faces",
        summary: "Detect the faces of an image; print a DetectFaces response.",
        details: "Prints FaceDetails, largest face first, with the DEFAULT attributes (BoundingBox, Confidence, Landmarks, Pose, Quality) or, with --attributes ALL, also EyesOpen, MouthOpen, EyeDirection and Emotions.",
        positionals: [PositionalSpec("IMAGE", help: "an image (or a video: its first frame)")],
        options: [detectionAttributes],
        examples: ["facescan detect-faces group.jpg | jq '.FaceDetails | length'"],
        run: { args, _ in
            let image = ImageSource.file(args.positionals[0])
            _ = try image.reader()
            return try CollectionOperations.detectFaces(image, attributes: try DetectionAttributes([args.string("attributes") ?? "DEFAULT"])) {
                ImageOperations(analyzer: try FaceAnalyzer(), describer: try FaceDescriberFactory.make(store: ModelStore()))
            }
        })
}
