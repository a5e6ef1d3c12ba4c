/// A face an operation found but did not use because of its QualityFilter, with the API's reasons.
/// CompareFaces and SearchFacesByImage have no response member for them; the CLI reports them as
/// warnings.
public struct FilteredFace: Sendable {
    public var detail: FaceDetail
    public var reasons: [String]
}

/// CompareFaces's parameters.
public struct CompareFacesRequest: Sendable {
    public var source: ImageSource
    public var target: ImageSource
    /// Target faces at least this similar are FaceMatches, the others UnmatchedFaces (the API's 80).
    public var similarityThreshold: Float = 80
    public var qualityFilter: QualityFilter = .none

    public init(source: ImageSource, target: ImageSource) {
        self.source = source
        self.target = target
    }
}

/// SearchFacesByImage's parameters.
public struct SearchFacesByImageRequest: Sendable {
    public var image: ImageSource
    public var faceMatchThreshold: Float = 80
    public var maxFaces = 4096
    public var qualityFilter: QualityFilter = .none

    public init(image: ImageSource) { self.image = image }
}

/// The image operations, CompareFaces and SearchFacesByImage: a request in, a response out, errors as
/// APIError. The command line and the endpoint both call these.
public struct ImageOperations {
    public let analyzer: FaceAnalyzer
    public let describer: FaceDescribing

    public init(analyzer: FaceAnalyzer, describer: FaceDescribing) {
        self.analyzer = analyzer
        self.describer = describer
    }

    /// The faces of an image (a video's first frame), with the frame.
    func faces(_ source: ImageSource, attributes: FaceAttributes = .default) throws -> (RGBImage, [AnalysedFace]) {
        let reader = try source.reader()
        reader.configure(sampling: .everyFrame)
        guard let frame = try reader.next() else { throw APIError(.invalidImageFormat, "\(source.name): no image could be decoded") }
        return (frame.image, try analyzer.analyse(frame.image, attributes: attributes))
    }

    /// Splits faces into those that pass the filter and those that do not (with the reasons).
    static func filter(_ faces: [AnalysedFace], _ filter: QualityFilter, frameHeight: Int) -> ([AnalysedFace], [FilteredFace]) {
        var kept: [AnalysedFace] = [], dropped: [FilteredFace] = []
        for f in faces {
            let reasons = filter.reasons(f.detail, frameHeight: frameHeight)
            if reasons.isEmpty { kept.append(f) } else { dropped.append(FilteredFace(detail: f.detail, reasons: reasons)) }
        }
        return (kept, dropped)
    }

    /// The largest face of `path` that passes the filter (faces come largest first), and the faces the
    /// filter removed. No such face is an InvalidParameterException, as the service answers.
    func largestFace(_ source: ImageSource, role: String, filter: QualityFilter) throws -> (RGBImage, AnalysedFace, [FilteredFace]) {
        let (image, all) = try faces(source)
        let (kept, dropped) = Self.filter(all, filter, frameHeight: image.height)
        guard let face = kept.first else {
            let why = dropped.isEmpty ? "" : " that passes QualityFilter \(filter.rawValue) (\(dropped.count) filtered out: "
                + Set(dropped.flatMap(\.reasons)).sorted().joined(separator: ", ") + ")"
            throw APIError(.invalidParameter, "\(role) \(source.name): there are no faces in the image\(why)")
        }
        return (image, face, dropped)
    }

    /// CompareFaces: the largest face of the source against every face of the target. Filtered target
    /// faces are not compared (they are in neither FaceMatches nor UnmatchedFaces).
    public func compareFaces(_ r: CompareFacesRequest) throws -> (response: CompareFacesResponse, filtered: [FilteredFace]) {
        _ = try r.source.reader()
        _ = try r.target.reader()
        let (source, face, sourceFiltered) = try largestFace(r.source, role: "SOURCE", filter: r.qualityFilter)
        let sourceDescriptor = try describer.describe(source, face.detection)
        let (target, all) = try faces(r.target)
        let (kept, targetFiltered) = Self.filter(all, r.qualityFilter, frameHeight: target.height)
        var matches: [(similarity: Float, face: ComparedFace)] = []
        var unmatched: [ComparedFace] = []
        for t in kept {
            let s = Similarity.percent(distance: FaceDescriptor.distance(sourceDescriptor, try describer.describe(target, t.detection)))
            if s >= r.similarityThreshold { matches.append((s, ComparedFace(detail: t.detail))) } else { unmatched.append(ComparedFace(detail: t.detail)) }
        }
        matches.sort { $0.similarity > $1.similarity }
        let response = CompareFacesResponse(sourceBoundingBox: face.detail.boundingBox, sourceConfidence: face.detail.confidence,
                                            matches: matches, unmatched: unmatched)
        return (response, sourceFiltered + targetFiltered)
    }

    /// SearchFacesByImage: the largest face of the image (that passes the filter) against the collection.
    public func searchFacesByImage(_ r: SearchFacesByImageRequest, collection: FaceCollection) throws
        -> (response: SearchFacesByImageResponse, filtered: [FilteredFace]) {
        let (image, face, filtered) = try largestFace(r.image, role: "IMAGE", filter: r.qualityFilter)
        let descriptor = try describer.describe(image, face.detection)
        let matches = collection.matches(for: descriptor, threshold: r.faceMatchThreshold, maxFaces: r.maxFaces)
        let response = SearchFacesByImageResponse(searchedFaceBoundingBox: face.detail.boundingBox, searchedFaceConfidence: face.detail.confidence,
                                                  faceMatches: matches, faceModelVersion: FaceIdentity.modelVersion)
        return (response, filtered)
    }
}
