import Foundation
import Testing
@testable import FaceScan

/// Collections, tracking and the search commands, on photos that packages ship (scikit-image's
/// astronaut.png and camera.png, opencv-doc's messi5.jpg) and a video the test makes from them.
@Suite(.serialized) struct FaceSearchTests {
    static let photos = SearchFixtures.photos
    static let video = SearchFixtures.video
    static func makeCollection() throws -> URL { try SearchFixtures.makeCollection() }

    static func run(_ args: [String]) throws -> [String: Any] {
        let r = try TestSupport.facescan(args)
        #expect(r.status == 0, "\(args): \(r.stderr)")
        return try parseJSON(r.stdout)
    }

    @Test func searchFindsTheRightPeopleAtTheRightTimes() throws {
        let collection = try Self.makeCollection()
        let r = try TestSupport.facescan(["search", "--collection", collection.path, Self.video])
        #expect(r.status == 0, "\(r.stderr)")
        try TestSupport.shapeCheck("GetFaceSearch", r.stdout)
        let persons = try parseJSON(r.stdout)["Persons"] as? [[String: Any]] ?? []
        var seen: [String: [Int]] = [:]
        var indexOf: [String: Set<Int>] = [:]
        var unmatched: [Int] = []
        var similarities: [Double] = []
        for p in persons {
            let t = p["Timestamp"] as! Int
            // Every tracked person at every sampled time, matched or not, as the service lists them.
            guard let match = (p["FaceMatches"] as! [[String: Any]]).first else { unmatched.append(t); continue }
            let name = (match["Face"] as! [String: Any])["ExternalImageId"] as! String
            similarities.append(match["Similarity"] as! Double)
            seen[name, default: []].append(t)
            indexOf[name, default: []].insert((p["Person"] as! [String: Any])["Index"] as! Int)
        }
        #expect(Set(seen.keys) == ["eileen_collins", "messi"], "\(seen.keys)")
        // The stranger (4–6 s) is listed, with no match.
        #expect(unmatched.filter { (4000..<6000).contains($0) }.count >= 8, "\(unmatched)")
        // Similarity is each frame's own (the frames differ), above the veto, mostly above the threshold.
        #expect(Set(similarities).count > 2 && similarities.allSatisfy { $0 > Double(Similarity.percent(distance: FaceSearchPipeline.frameVetoDistance)) })
        #expect(similarities.filter { $0 >= 80 }.count * 2 > similarities.count, "\(similarities)")
        // The astronaut in her 2 seconds, messi in his; nobody in the fruit or the stranger's seconds.
        #expect((seen["eileen_collins"] ?? []).allSatisfy { $0 < 2000 } && (seen["eileen_collins"] ?? []).count >= 8)
        #expect((seen["messi"] ?? []).allSatisfy { $0 >= 6000 } && (seen["messi"] ?? []).count >= 8)
        // One Index per person throughout.
        #expect(indexOf.values.allSatisfy { $0.count == 1 })
        #expect(indexOf["eileen_collins"] != indexOf["messi"])
        // Sorted by time; --sort-by INDEX groups by person.
        let stamps = persons.map { $0["Timestamp"] as! Int }
        #expect(stamps == stamps.sorted())
        let byIndex = try Self.run(["search", "--collection", collection.path, "--sort-by", "INDEX", Self.video])["Persons"] as! [[String: Any]]
        let order = byIndex.map { (($0["Person"] as! [String: Any])["Index"] as! Int, $0["Timestamp"] as! Int) }
        #expect(order.map(\.0) == order.map(\.0).sorted() && byIndex.count == persons.count)
    }

    @Test func collectionIdsAreStableAndTheCacheIsReusedAndRefreshed() throws {
        let dir = try Self.makeCollection()
        let analyzer = try FaceAnalyzer()
        let describer = try FaceDescriberFactory.make(store: ModelStore())
        let cache = TestSupport.scratch("cache")
        let first = try FaceCollection(directory: dir, analyzer: analyzer, describer: describer, cacheDirectory: cache)
        #expect(first.entries.count == 2 && first.analysedImages == 2)
        let again = try FaceCollection(directory: dir, analyzer: analyzer, describer: describer, cacheDirectory: cache)
        #expect(again.analysedImages == 0)
        #expect(again.entries.map(\.faceId) == first.entries.map(\.faceId))
        #expect(again.entries.map(\.externalImageId) == ["eileen_collins", "messi"])
        // The same bytes elsewhere give the same FaceId and ImageId.
        let other = try FaceCollection(directory: dir, analyzer: analyzer, describer: describer, cacheDirectory: TestSupport.scratch("cache2"))
        #expect(other.entries.map(\.faceId) == first.entries.map(\.faceId) && other.entries.map(\.imageId) == first.entries.map(\.imageId))
        // A new image is analysed; the others come from the cache.
        try FileManager.default.copyItem(at: Self.photos.appendingPathComponent("camera.png"), to: dir.appendingPathComponent("camera man.png"))
        let grown = try FaceCollection(directory: dir, analyzer: analyzer, describer: describer, cacheDirectory: cache)
        #expect(grown.analysedImages == 1 && grown.entries.count == 3)
        // A corrupt cache is rebuilt, not trusted.
        for f in try FileManager.default.contentsOfDirectory(atPath: cache.path) {
            try Data("{\"format\": 1, \"images\": [garbage".utf8).write(to: cache.appendingPathComponent(f))
        }
        let rebuilt = try FaceCollection(directory: dir, analyzer: analyzer, describer: describer, cacheDirectory: cache)
        #expect(rebuilt.analysedImages == 3 && rebuilt.entries.count == 3)
    }

    @Test func hostileFileNamesAreSanitised() throws {
        let dir = TestSupport.scratch("hostile")
        let names = ["O'Brien \"the\" 1st.png", "naïve—名前.png", "semi;colon $(rm -rf).png", "-leading-dash.png"]
        for n in names { try FileManager.default.copyItem(at: Self.photos.appendingPathComponent("astronaut.png"), to: dir.appendingPathComponent(n)) }
        let r = try TestSupport.facescan(["search-faces-by-image", "--collection", dir.path, Self.photos.appendingPathComponent("astronaut.png").path])
        #expect(r.status == 0, "\(r.stderr)")
        try TestSupport.shapeCheck("SearchFacesByImage", r.stdout)
        let ids = (try parseJSON(r.stdout)["FaceMatches"] as! [[String: Any]]).map { ($0["Face"] as! [String: Any])["ExternalImageId"] as! String }
        #expect(Set(ids) == ["O_Brien__the__1st", "na_ve___", "semi_colon___rm_-rf_", "-leading-dash"])
    }

    @Test func searchFacesByImage() throws {
        let collection = try Self.makeCollection()
        let doc = try Self.run(["search-faces-by-image", "--collection", collection.path, TestSupport.opencvData("messi5.jpg")])
        let matches = doc["FaceMatches"] as! [[String: Any]]
        #expect(matches.count == 1)
        #expect((matches.first?["Face"] as? [String: Any])?["ExternalImageId"] as? String == "messi")
        #expect((matches.first?["Similarity"] as? Double ?? 0) > 95)
        #expect(doc["SearchedFaceConfidence"] as? Double ?? 0 > 50)
        // No face in the image: InvalidParameterException, as the API.
        let r = try TestSupport.facescan(["search-faces-by-image", "--collection", collection.path, TestSupport.opencvData("fruits.jpg")])
        #expect(r.status == 2 && r.stdout.isEmpty && r.stderr.contains("InvalidParameterException") && r.stderr.contains("no faces"))
    }

    @Test func compareFaces() throws {
        let astro = Self.photos.appendingPathComponent("astronaut.png").path
        let r = try TestSupport.facescan(["compare-faces", astro, Self.video.replacingOccurrences(of: "people.mp4", with: "people.mp4")])
        #expect(r.status == 0, "\(r.stderr)")
        try TestSupport.shapeCheck("CompareFaces", r.stdout)
        let doc = try parseJSON(r.stdout)
        #expect((doc["FaceMatches"] as? [Any])?.count == 1, "the video's first frame shows her (mirrored)")
        let other = try Self.run(["compare-faces", astro, Self.photos.appendingPathComponent("camera.png").path])
        #expect((other["FaceMatches"] as? [Any])?.isEmpty == true && (other["UnmatchedFaces"] as? [Any])?.count == 1)
        let none = try TestSupport.facescan(["compare-faces", TestSupport.opencvData("fruits.jpg"), astro])
        #expect(none.status == 2 && none.stderr.contains("SOURCE"))
    }

    @Test func collectionErrors() throws {
        let missing = try TestSupport.facescan(["search-faces-by-image", "--collection", "/nonexistent/dir", Self.photos.appendingPathComponent("astronaut.png").path])
        #expect(missing.status == 3 && missing.stderr.contains("ResourceNotFoundException") && missing.stdout.isEmpty)
        // An empty collection is no error: every person is listed, matching nobody, as at the service.
        for dir in [TestSupport.scratch("empty"), try SearchFixtures.facelessCollection()] {
            let r = try TestSupport.facescan(["search", "--collection", dir.path, Self.video])
            #expect(r.status == 0, "\(r.stderr)")
            try TestSupport.shapeCheck("GetFaceSearch", r.stdout)
            let persons = try parseJSON(r.stdout)["Persons"] as? [[String: Any]] ?? []
            #expect(!persons.isEmpty && persons.allSatisfy { ($0["FaceMatches"] as? [Any])?.isEmpty == true })
            let image = try Self.run(["search-faces-by-image", "--collection", dir.path, Self.photos.appendingPathComponent("astronaut.png").path])
            #expect((image["FaceMatches"] as? [Any])?.isEmpty == true && image["SearchedFaceBoundingBox"] != nil)
        }
    }

    @Test func similarityScaleGoesThroughItsAnchorsAndFallsWithDistance() {
        for a in Similarity.anchors {
            #expect(abs(Double(Similarity.percent(distance: Float(a.distance))) - a.percent) < 1e-3)
            #expect(abs(Similarity.distance(forPercent: a.percent) - a.distance) < 1e-9)
        }
        // Stricter than dlib's 0.6 at the API's default 80 (README, "The Similarity scale").
        #expect(Similarity.distance(forPercent: 80) < 0.6)
        #expect(Similarity.percent(distance: 0.3) > 99.9 && Similarity.percent(distance: 0.9) < 1)
        // Strictly falling wherever a Float can tell the values apart (near 0 it is 100 to Float precision).
        var last: Float = 101
        for d in stride(from: Float(0), through: 1.5, by: 0.01) {
            let s = Similarity.percent(distance: d)
            #expect(s >= 0 && s <= 100 && (d < 0.3 || d > 1.2 ? s <= last : s < last), "Similarity \(s) at \(d) after \(last)")
            last = s
        }
        for p in stride(from: 1.0, through: 99.9, by: 0.7) {
            #expect(abs(Double(Similarity.percent(distance: Float(Similarity.distance(forPercent: p)))) - p) < 1e-3)
        }
    }

    /// scripts/similarity_curve.py turns Similarity back into distance for the measuring scripts: its
    /// anchors are the library's.
    @Test func scriptsUseTheLibrarysScale() throws {
        let text = try String(contentsOf: TestSupport.repoRoot.appendingPathComponent("scripts/similarity_curve.py"), encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("ANCHORS = ") })
        let numbers = line.split(whereSeparator: { !"0123456789.".contains($0) }).compactMap { Double($0) }
        #expect(numbers == Similarity.anchors.flatMap { [$0.distance, $0.percent] }, "\(line)")
    }

    @Test func trackerKeepsIndicesAndReidentifies() {
        func det(_ x: Double) -> Detection { Detection(xmin: x, ymin: 0, xmax: x + 50, ymax: 50, keypoints: [], score: 0.9) }
        let a = [Float](repeating: 0, count: 128), b = [Float](repeating: 0.2, count: 128)
        var t = FaceTracker()
        #expect(t.assign(timestamp: 0, faces: [(det(0), a), (det(200), b)]) == [0, 1])
        #expect(t.assign(timestamp: 200, faces: [(det(205), b), (det(4), a)]) == [1, 0])
        // Person 0 leaves; later someone appears elsewhere with 0's descriptor: the same Index.
        _ = t.assign(timestamp: 400, faces: [(det(210), b)])
        #expect(t.assign(timestamp: 5000, faces: [(det(400), a)]) == [0])
        // A new face far from everyone is a new person.
        #expect(t.assign(timestamp: 5200, faces: [(det(400), a), (det(100), [Float](repeating: -0.3, count: 128))]) == [0, 2])
    }
}
