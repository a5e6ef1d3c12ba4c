import Foundation
import Testing
@testable import FaceScan

/// The collection verbs through the built executable, each test with its own FACESCAN_HOME (and so its
/// own collections.sqlite): shapes, what each verb does to the collection, search against a stored
/// collection agreeing with search against the same photos as a folder, and the errors.
@Suite struct CollectionCommandTests {
    typealias Home = JobCommandTests.Home

    static var astronaut: String { SearchFixtures.photos.appendingPathComponent("astronaut.png").path }
    static var camera: String { SearchFixtures.photos.appendingPathComponent("camera.png").path }
    static var messi: String { TestSupport.opencvData("messi5.jpg") }

    /// A collection "people" with the astronaut (ExternalImageId eileen_collins) and messi (messi).
    static func people(_ home: Home) throws -> (eileen: String, messi: String) {
        _ = try home.json(["create-collection", "--collection-id", "people"], shape: "CreateCollection")
        let a = try home.json(["index-faces", "--collection-id", "people", "--external-image-id", "eileen_collins", astronaut], shape: "IndexFaces")
        let m = try home.json(["index-faces", "--collection-id", "people", "--external-image-id", "messi",
                                 "--quality-filter", "NONE", messi], shape: "IndexFaces")  // his face is 33 px high: SMALL_BOUNDING_BOX at AUTO
        func faceId(_ doc: [String: Any]) throws -> String {
            let records = try #require(doc["FaceRecords"] as? [[String: Any]])
            #expect(records.count == 1, "one face: \(doc)")
            return try #require((records.first?["Face"] as? [String: Any])?["FaceId"] as? String)
        }
        return (try faceId(a), try faceId(m))
    }

    @Test func indexListSearchDelete() throws {
        let home = Home()
        let ids = try Self.people(home)
        #expect(APIValidation.isFaceId(ids.eileen) && APIValidation.isFaceId(ids.messi) && ids.eileen != ids.messi)
        let described = try home.json(["describe-collection", "--collection-id", "people"], shape: "DescribeCollection")
        #expect(described["FaceCount"] as? Int == 2 && (described["CollectionARN"] as? String)?.hasSuffix(":collection/people") == true)

        // SearchFacesByImage: the astronaut's photo finds her face, and not messi's.
        let found = try home.json(["search-faces-by-image", "--collection-id", "people", Self.astronaut], shape: "SearchFacesByImage")
        let matches = try #require(found["FaceMatches"] as? [[String: Any]])
        #expect(matches.count == 1 && (matches[0]["Face"] as? [String: Any])?["FaceId"] as? String == ids.eileen)
        #expect((matches[0]["Similarity"] as? Double ?? 0) > 99, "the same photo: \(matches)")
        // The cameraman is nobody in the collection.
        let stranger = try home.json(["search-faces-by-image", "--collection-id", "people", Self.camera], shape: "SearchFacesByImage")
        #expect((stranger["FaceMatches"] as? [Any])?.isEmpty == true)

        // SearchFaces by FaceId: a second photo of the astronaut (mirrored) matches the first; messi does not.
        let mirrored = TestSupport.scratch().appendingPathComponent("mirrored.png").path
        try TestSupport.ffmpeg(["-i", Self.astronaut, "-vf", "hflip", mirrored])
        let again = try home.json(["index-faces", "--collection-id", "people", "--external-image-id", "eileen_collins", mirrored], shape: "IndexFaces")
        let second = try #require(((again["FaceRecords"] as? [[String: Any]])?.first?["Face"] as? [String: Any])?["FaceId"] as? String)
        let searched = try home.json(["search-faces", "--collection-id", "people", "--face-id", ids.eileen], shape: "SearchFaces")
        #expect(searched["SearchedFaceId"] as? String == ids.eileen)
        let hits = (searched["FaceMatches"] as? [[String: Any]] ?? []).compactMap { ($0["Face"] as? [String: Any])?["FaceId"] as? String }
        #expect(hits == [second], "the mirrored copy only, not itself, not messi: \(searched)")

        // ListFaces pages (1 a time) cover the 3 faces, sorted by FaceId; a FaceIds filter.
        var seen: [String] = [], token: String? = nil
        repeat {
            let page = try home.json(["list-faces", "--collection-id", "people", "--max-results", "1"] + (token.map { ["--next-token", $0] } ?? []), shape: "ListFaces")
            seen += (page["Faces"] as? [[String: Any]] ?? []).compactMap { $0["FaceId"] as? String }
            token = page["NextToken"] as? String
        } while token != nil && seen.count < 10
        #expect(seen == [ids.eileen, ids.messi, second].sorted())
        let only = try home.json(["list-faces", "--collection-id", "people", "--face-ids", ids.messi], shape: "ListFaces")
        #expect((only["Faces"] as? [[String: Any]])?.map { $0["ExternalImageId"] as? String } == ["messi"])

        // DeleteFaces: the one that exists is deleted; an unknown one is reported, not an error.
        let unknown = "00000000-0000-4000-8000-000000000000"
        let deleted = try home.json(["delete-faces", "--collection-id", "people", "--face-ids", "\(ids.messi),\(unknown)"], shape: "DeleteFaces")
        #expect(deleted["DeletedFaces"] as? [String] == [ids.messi])
        #expect(((deleted["UnsuccessfulFaceDeletions"] as? [[String: Any]])?.first?["Reasons"] as? [String]) == ["FACE_NOT_FOUND"])
        try home.expectError(["search-faces", "--collection-id", "people", "--face-id", ids.messi], .resourceNotFound, mentioning: ids.messi)
        _ = try home.json(["delete-collection", "--collection-id", "people"], shape: "DeleteCollection")
        try home.expectError(["list-faces", "--collection-id", "people"], .resourceNotFound, mentioning: "people")
    }

    @Test func indexFacesFiltersAndLimits() throws {
        let home = Home()
        _ = try home.json(["create-collection", "--collection-id", "c"], shape: "CreateCollection")
        let none = try home.json(["index-faces", "--collection-id", "c", TestSupport.opencvData("fruits.jpg")], shape: "IndexFaces")
        #expect((none["FaceRecords"] as? [Any])?.isEmpty == true && (none["UnindexedFaces"] as? [Any])?.isEmpty == true)
        // Two faces side by side: MaxFaces 1 indexes the larger, the other is EXCEEDS_MAX_FACES.
        let pair = TestSupport.scratch().appendingPathComponent("pair.png").path
        try TestSupport.ffmpeg(["-i", Self.astronaut, "-i", Self.messi, "-filter_complex",
                                "[0:v]scale=-2:480[a];[1:v]scale=-2:300,pad=iw:480:0:90[b];[a][b]hstack", pair])
        let one = try home.json(["index-faces", "--collection-id", "c", "--max-faces", "1", "--quality-filter", "NONE", pair], shape: "IndexFaces")
        #expect((one["FaceRecords"] as? [Any])?.count == 1, "\(one)")
        let left = try #require(one["UnindexedFaces"] as? [[String: Any]])
        #expect(left.count == 1 && left[0]["Reasons"] as? [String] == ["EXCEEDS_MAX_FACES"], "\(left)")
        let records = try #require(one["FaceRecords"] as? [[String: Any]])
        let kept = try #require((records[0]["FaceDetail"] as? [String: Any])?["BoundingBox"] as? [String: Any])
        let skipped = try #require((left[0]["FaceDetail"] as? [String: Any])?["BoundingBox"] as? [String: Any])
        #expect((kept["Height"] as? Double ?? 0) > (skipped["Height"] as? Double ?? 1), "the larger face is indexed")
        // HIGH leaves out the cameraman's turned face, with its reasons.
        let high = try home.json(["index-faces", "--collection-id", "c", "--quality-filter", "HIGH", Self.camera], shape: "IndexFaces")
        let reasons = (high["UnindexedFaces"] as? [[String: Any]])?.first?["Reasons"] as? [String] ?? []
        #expect((high["FaceRecords"] as? [Any])?.isEmpty == true && !reasons.isEmpty, "\(high)")
        try home.expectError(["index-faces", "--collection-id", "missing", Self.astronaut], .resourceNotFound, mentioning: "missing")
        try home.expectError(["index-faces", "--collection-id", "c", "/nonexistent.jpg"], .invalidS3Object)
        try home.expectError(["create-collection", "--collection-id", "c"], .resourceAlreadyExists)
        try home.expectError(["create-collection", "--collection-id", "bad id"], .invalidParameter)
    }

    /// search against a stored collection finds the same people at the same times as search against a
    /// folder of the same photos.
    @Test func searchByCollectionIdAgreesWithTheFolder() throws {
        let home = Home()
        _ = try Self.people(home)
        let video = SearchFixtures.revisitVideo
        let stored = try home.json(["search", "--collection-id", "people", "--sample-rate", "2", video], shape: "GetFaceSearch")
        let folder = try home.json(["search", "--collection", SearchFixtures.collection.path, "--sample-rate", "2", video], shape: "GetFaceSearch")
        func who(_ doc: [String: Any]) -> [String] {
            (doc["Persons"] as? [[String: Any]] ?? []).map { p in
                let name = ((p["FaceMatches"] as? [[String: Any]])?.first?["Face"] as? [String: Any])?["ExternalImageId"] as? String ?? "-"
                return "\(p["Timestamp"] as? Int ?? -1) \((p["Person"] as? [String: Any])?["Index"] as? Int ?? -1) \(name)"
            }
        }
        #expect(who(stored) == who(folder) && who(stored).contains { $0.hasSuffix("eileen_collins") } && who(stored).contains { $0.hasSuffix(" messi") },
                "\(who(stored)) vs \(who(folder))")
        // As a job: the collection is checked at the start.
        try home.expectError(["start-face-search", "--collection-id", "nobody", video], .resourceNotFound, mentioning: "nobody")
        try home.expectError(["search", "--collection-id", "people", "--collection", SearchFixtures.collection.path, video], .invalidParameter)
        try home.expectError(["search", video], .invalidParameter, mentioning: "--collection-id")
    }

    @Test func detectFacesAndListings() throws {
        let home = Home()
        let faces = try home.json(["detect-faces", Self.astronaut], shape: "DetectFaces")
        let detected = try home.json(["detect", Self.astronaut], shape: "GetFaceDetection")
        let one = try #require((faces["FaceDetails"] as? [[String: Any]])?.first)
        let same = try #require(((detected["Faces"] as? [[String: Any]])?.first?["Face"] as? [String: Any]))
        #expect(NSDictionary(dictionary: one["BoundingBox"] as? [String: Any] ?? [:]) == NSDictionary(dictionary: same["BoundingBox"] as? [String: Any] ?? [:]))
        #expect(one["EyesOpen"] == nil)
        let all = try home.json(["detect-faces", "--attributes", "ALL", Self.astronaut], shape: "DetectFaces")
        #expect((all["FaceDetails"] as? [[String: Any]])?.first?["EyesOpen"] != nil)
        #expect((try home.json(["detect-faces", TestSupport.opencvData("fruits.jpg")], shape: "DetectFaces")["FaceDetails"] as? [Any])?.isEmpty == true)

        for id in ["b", "a", "c"] { _ = try home.json(["create-collection", "--collection-id", id], shape: "CreateCollection") }
        var ids: [String] = [], token: String? = nil
        repeat {
            let page = try home.json(["list-collections", "--max-results", "2"] + (token.map { ["--next-token", $0] } ?? []), shape: "ListCollections")
            ids += page["CollectionIds"] as? [String] ?? []
            token = page["NextToken"] as? String
        } while token != nil && ids.count < 10
        #expect(ids == ["a", "b", "c"])
        // A ListFaces token of one collection is refused for another.
        _ = try home.json(["index-faces", "--collection-id", "a", Self.astronaut], shape: "IndexFaces")
        _ = try home.json(["index-faces", "--collection-id", "a", "--quality-filter", "NONE", Self.messi], shape: "IndexFaces")
        let page = try home.json(["list-faces", "--collection-id", "a", "--max-results", "1"], shape: "ListFaces")
        let t = try #require(page["NextToken"] as? String)
        try home.expectError(["list-faces", "--collection-id", "b", "--next-token", t], .invalidPaginationToken)
        try home.expectError(["list-collections", "--next-token", "garbage"], .invalidPaginationToken)
    }
}
