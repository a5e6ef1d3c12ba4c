import FaceScan
import Foundation

extension CommandTable {
    static let collectionOption = OptionSpec(
        "collection", .path, valueName: "DIR", api: "CollectionId",
        help: "folder of face photos: each image's largest face is indexed, named by its file name (or first-level sub-folder); or give --collection-id")

    /// --collection DIR or --collection-id ID: exactly one.
    static func validateCollection(_ args: ParsedArguments) -> String? {
        switch (args.string("collection"), args.string("collection-id")) {
        case (nil, nil): return "give the collection: --collection DIR (a folder of photos) or --collection-id ID (made by create-collection)"
        case (_?, _?): return "give --collection DIR or --collection-id ID, not both"
        default: return nil
        }
    }

    static func validateSearch(_ args: ParsedArguments) -> String? { validateCollection(args) ?? VideoOptions.validate(args) }
    static let faceMatchThreshold = OptionSpec(
        "face-match-threshold", .number(min: 0, max: 100), valueName: "PERCENT", api: "FaceMatchThreshold", default: "80",
        help: "report only matches with at least this Similarity (80: about 1 different-person pair in 1000 matches; 90: 1 in 10,000)")

    /// Loads the collection (indexing new or changed photos) and warns about what was not indexed.
    static func loadCollection(_ args: ParsedArguments, _ ctx: CommandContext, analyzer: FaceAnalyzer, describer: FaceDescribing) throws -> FaceCollection {
        let collection = try FaceCollection(directory: URL(fileURLWithPath: args.string("collection")!), analyzer: analyzer, describer: describer)
        collection.warnings.forEach { ctx.warn("facescan: warning: " + $0) }
        return collection
    }

    static let qualityFilter = OptionSpec(
        "quality-filter", .choice(QualityFilter.allCases.map(\.rawValue)), valueName: "BAR", api: "QualityFilter", default: "NONE",
        help: "leave out faces below this quality bar (README: \"Quality filter\"); AUTO is MEDIUM")

    /// Warns about the faces a QualityFilter left out, with the API's reasons.
    static func warnFiltered(_ filtered: [FilteredFace], _ filter: String, _ ctx: CommandContext) {
        for f in filtered {
            let b = f.detail.boundingBox
            ctx.warn("facescan: warning: QualityFilter \(filter) left out the face at Left \(b.left), Top \(b.top), Width \(b.width), "
                     + "Height \(b.height): " + f.reasons.joined(separator: ", "))
        }
    }

    static let search = CommandSpec(
        name: "search",
        summary: "Find the people of a collection in a video; print a GetFaceSearch response.",
        details: """
        Indexes the photos in --collection DIR (cached, refreshed when they change), then decodes FILE, \
        samples frames (5 per second by default), detects and describes every face (dlib's ResNet \
        descriptor), links faces into persons with a stable Index, and prints a GetFaceSearch response: \
        JobStatus, VideoMetadata and Persons sorted by Timestamp (or by Index with --sort-by INDEX). As the \
        service does, every person tracked is listed at each sampled time they appear, with the Person \
        (Index, BoundingBox, Face with the DEFAULT attributes) and FaceMatches: the collection faces the \
        person's track matches with at least --face-match-threshold Similarity, each with the Similarity \
        of that frame's own face, or [] for a person who matches nobody. A person's identity is decided \
        from the mean of their descriptors over all their frames, so a face seen in profile in several \
        frames is still recognised; a person who leaves and comes back keeps their Index when the \
        descriptor says it is the same person. A folder without images or faces is an empty collection.
        search is start-face-search, wait and get-face-search in one command: the job runs in this \
        process and is kept in the job store only when --max-results or --output jsonl is given (then \
        every page has the JobId, and NextToken works with get-face-search and the same --sort-by).
        """,
        positionals: [PositionalSpec("FILE", help: "a video or image file")],
        options: [collectionOption, collectionId, faceMatchThreshold, JobOptions.sortBy] + VideoOptions.all + [JobOptions.maxResults, JobOptions.output, StoreOption.option],
        examples: [
            "facescan search --collection known/ clip.mp4 | jq -r '.Persons[] | [.Timestamp, .FaceMatches[0].Face.ExternalImageId] | @tsv'",
            "facescan search --collection known/ --max-results 10 --sort-by INDEX clip.mp4 | jq -r .NextToken",
        ],
        validate: validateSearch,
        run: { args, ctx in try JobPorcelain.run(.faceSearch, JobOptions.searchJob, args, ctx) })

    static let searchFacesByImage = CommandSpec(
        name: "search-faces-by-image",
        summary: "Search a collection for the largest face of an image; print a SearchFacesByImage response.",
        details: """
        Finds the largest face in IMAGE and compares it with the faces of --collection DIR (or of the \
        stored collection --collection-id ID): prints \
        SearchedFaceBoundingBox, SearchedFaceConfidence, FaceMatches sorted by Similarity (at least \
        --face-match-threshold, at most --max-faces) and FaceModelVersion. An image without a face is an \
        InvalidParameterException, as the API reports it. With --quality-filter, faces below the bar are \
        not searched (the largest face that passes is), and each one left out is named in a warning \
        with the API's reasons (LOW_CONFIDENCE, SMALL_BOUNDING_BOX, LOW_SHARPNESS, LOW_BRIGHTNESS, \
        EXTREME_POSE).
        """,
        positionals: [PositionalSpec("IMAGE", help: "an image (or a video: its first frame)")],
        options: [collectionOption, collectionId, faceMatchThreshold, StoreOption.option,
                  OptionSpec("max-faces", .integer(min: 1, max: 4096), valueName: "N", api: "MaxFaces", default: "4096",
                             help: "at most this many matches, the most similar"), qualityFilter],
        examples: ["facescan search-faces-by-image --collection known/ visitor.jpg | jq '.FaceMatches[0].Face.ExternalImageId'",
                   "facescan search-faces-by-image --collection-id staff visitor.jpg"],
        validate: validateCollection,
        run: { args, ctx in
            _ = try VideoReader(path: args.positionals[0])
            var request = SearchFacesByImageRequest(image: .file(args.positionals[0]))
            request.faceMatchThreshold = Float(args.double("face-match-threshold") ?? 80)
            request.maxFaces = args.int("max-faces") ?? 4096
            request.qualityFilter = QualityFilter(rawValue: args.string("quality-filter") ?? "NONE") ?? .none
            let result: (response: SearchFacesByImageResponse, filtered: [FilteredFace])
            if let id = args.string("collection-id") {
                result = try collectionOperations(args).searchFacesByImage(id, request)
            } else {
                let operations = ImageOperations(analyzer: try FaceAnalyzer(), describer: try FaceDescriberFactory.make(store: ModelStore()))
                let collection = try loadCollection(args, ctx, analyzer: operations.analyzer, describer: operations.describer)
                result = try operations.searchFacesByImage(request, collection: collection)
            }
            warnFiltered(result.filtered, request.qualityFilter.rawValue, ctx)
            return result.response.json
        })

    static let compareFaces = CommandSpec(
        name: "compare-faces",
        summary: "Compare the largest face of SOURCE with every face of TARGET; print a CompareFaces response.",
        details: """
        Finds the largest face in SOURCE and every face in TARGET, and prints SourceImageFace, \
        FaceMatches (target faces with at least --similarity-threshold Similarity, best first, each with \
        BoundingBox, Confidence, Landmarks, Pose and Quality) and UnmatchedFaces (the others). A SOURCE \
        without a face is an InvalidParameterException, as the API reports it; a TARGET without a face \
        gives empty lists. With --quality-filter, faces below the bar are not compared (they are in \
        neither list), and each one left out is named in a warning with the API's reasons.
        """,
        positionals: [PositionalSpec("SOURCE", help: "image with the face to look for"), PositionalSpec("TARGET", help: "image to look in")],
        options: [OptionSpec("similarity-threshold", .number(min: 0, max: 100), valueName: "PERCENT", api: "SimilarityThreshold", default: "80",
                             help: "target faces at least this similar are FaceMatches, the others UnmatchedFaces"), qualityFilter],
        examples: ["facescan compare-faces id-photo.jpg group.jpg | jq '.FaceMatches | length'"],
        run: { args, ctx in
            // The inputs are checked before the models load, so a bad path is reported as such.
            _ = try VideoReader(path: args.positionals[0])
            _ = try VideoReader(path: args.positionals[1])
            let operations = ImageOperations(analyzer: try FaceAnalyzer(), describer: try FaceDescriberFactory.make(store: ModelStore()))
            var request = CompareFacesRequest(source: .file(args.positionals[0]), target: .file(args.positionals[1]))
            request.similarityThreshold = Float(args.double("similarity-threshold") ?? 80)
            request.qualityFilter = QualityFilter(rawValue: args.string("quality-filter") ?? "NONE") ?? .none
            let result = try operations.compareFaces(request)
            warnFiltered(result.filtered, request.qualityFilter.rawValue, ctx)
            return result.response.json
        })
}
