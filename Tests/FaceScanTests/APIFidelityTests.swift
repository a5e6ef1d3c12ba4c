import Foundation
import Testing
@testable import FaceScan

/// The semantics that code written for Rekognition relies on, through the built executable: AWS's
/// VideoDetect loop (NextToken '' first), faces cut by the frame's edge, QualityFilter, one JSON error on
/// stderr whatever came before, results that cannot be written, every DEFAULT face with Pose.
@Suite struct APIFidelityTests {
    typealias Home = JobCommandTests.Home
    static let photos = SearchFixtures.photos

    /// AWS's example loop, ported to the CLI (Tests/Clients/video_detect_loop.py).
    static func clientLoop(_ home: Home, _ args: [String]) throws -> [String: Any] {
        let script = TestSupport.repoRoot.appendingPathComponent("Tests/Clients/video_detect_loop.py").path
        let r = try TestSupport.run(["python3", script, TestSupport.executable] + args, environment: home.environment)
        #expect(r.status == 0, "\(args): \(r.stderr)")
        return try parseJSON(r.stdout)
    }

    @Test func awsExampleLoopWithAnEmptyFirstTokenPagesToTheSingleCallResult() throws {
        let home = Home()
        let collection = SearchFixtures.collection.path, video = SearchFixtures.revisitVideo
        for order in ["TIMESTAMP", "INDEX"] {
            let single = try home.json(["search", "--collection", collection, "--sample-rate", "2", "--sort-by", order, video], shape: "GetFaceSearch")
            let looped = try Self.clientLoop(home, ["search", collection, video, order, "3"])
            let persons = single["Persons"] as? [Any] ?? []
            #expect(persons.count >= 7)
            #expect(JobCommandTests.canonical(looped["Persons"] as? [Any] ?? []) == JobCommandTests.canonical(persons), "\(order)")
            #expect(looped["pages"] as? Int == (persons.count + 2) / 3, "\(order)")
        }
        let single = try home.json(["detect", "--sample-rate", "2", JobCommandTests.sample("several-faces.mp4")], shape: "GetFaceDetection")
        let looped = try Self.clientLoop(home, ["detect", JobCommandTests.sample("several-faces.mp4"), "4"])
        #expect(JobCommandTests.canonical(looped["Faces"] as? [Any] ?? []) == JobCommandTests.canonical(single["Faces"] as? [Any] ?? []))
        // An empty token is the first page; the option stays optional.
        let id = try #require((try home.json(["list-jobs"], shape: nil)["Jobs"] as? [[String: Any]])?.last?["JobId"] as? String)
        let first = try home.json(["get-face-detection", "--job-id", id, "--max-results", "2", "--next-token", ""], shape: "GetFaceDetection")
        let plain = try home.json(["get-face-detection", "--job-id", id, "--max-results", "2"], shape: "GetFaceDetection")
        #expect(JobCommandTests.canonical(first["Faces"] as? [Any] ?? []) == JobCommandTests.canonical(plain["Faces"] as? [Any] ?? []))
        #expect(try home.json(["get-face-detection", "--job-id", id, "--next-token="], shape: nil)["JobStatus"] as? String == "SUCCEEDED")
    }

    /// The astronaut's photo cut through her face at its left edge.
    static func cutFace() throws -> String {
        let out = TestSupport.scratch("cut").appendingPathComponent("cut.png").path
        try TestSupport.ffmpeg(["-i", photos.appendingPathComponent("astronaut.png").path, "-vf", "crop=292:512:220:0", out])
        return out
    }

    @Test func aFaceCutByTheFrameEdgeKeepsItsBoxAndItsLandmarksInIt() throws {
        let doc = try Home().json(["detect", try Self.cutFace()], shape: "GetFaceDetection")
        let face = try #require((doc["Faces"] as? [[String: Any]])?.first?["Face"] as? [String: Any])
        let box = try #require(face["BoundingBox"] as? [String: Double])
        #expect(box["Left"]! < -0.05, "the box reaches past the left edge: \(box)")
        #expect(box["Left"]! + box["Width"]! > 0.1 && box["Width"]! > 0.3)
        let marks = face["Landmarks"] as? [[String: Any]] ?? []
        #expect(!marks.isEmpty)
        for m in marks {
            let x = m["X"] as! Double, y = m["Y"] as! Double
            #expect(x >= box["Left"]! - 0.02 && x <= box["Left"]! + box["Width"]! + 0.02, "\(m)")
            #expect(y >= box["Top"]! - 0.05 && y <= box["Top"]! + box["Height"]! + 0.05, "\(m)")
        }
    }

    /// A frame with the astronaut twice: her photo (a face about 106 px high) and a copy scaled to 200 px
    /// (a face of about 37 px).
    static let bigAndSmall: String = {
        let out = TestSupport.scratch("bigsmall").appendingPathComponent("bigsmall.png").path
        let astro = photos.appendingPathComponent("astronaut.png").path
        try! TestSupport.ffmpeg(["-i", astro, "-i", astro, "-filter_complex", "[1:v]scale=200:200[s];[0:v]pad=760:512[b];[b][s]overlay=540:300", out])
        return out
    }()

    @Test(arguments: [("NONE", 2), ("LOW", 2), ("AUTO", 1), ("MEDIUM", 1), ("HIGH", 1)])
    func qualityFilterLeavesOutSmallFacesAndSaysWhy(filter: String, compared: Int) throws {
        let astro = Self.photos.appendingPathComponent("astronaut.png").path
        let r = try TestSupport.facescan(["compare-faces", "--quality-filter", filter, astro, Self.bigAndSmall])
        #expect(r.status == 0, "\(r.stderr)")
        try TestSupport.shapeCheck("CompareFaces", r.stdout)
        let doc = try parseJSON(r.stdout)
        let n = (doc["FaceMatches"] as? [Any] ?? []).count + (doc["UnmatchedFaces"] as? [Any] ?? []).count
        #expect(n == compared, "\(filter): \(doc)")
        #expect(r.stderr.contains("SMALL_BOUNDING_BOX") == (compared == 1), "\(filter): \(r.stderr)")
        let quiet = try TestSupport.facescan(["--quiet", "compare-faces", "--quality-filter", filter, astro, Self.bigAndSmall])
        #expect(quiet.stderr.isEmpty && quiet.stdout == r.stdout)
        // SearchFacesByImage searches the largest face that passes; none passing is the service's error.
        let s = try TestSupport.facescan(["search-faces-by-image", "--quality-filter", filter, "--collection", SearchFixtures.collection.path, Self.bigAndSmall])
        #expect(s.status == 0, "\(s.stderr)")
        try TestSupport.shapeCheck("SearchFacesByImage", s.stdout)
    }

    @Test func aSourceFaceBelowTheBarIsNoFace() throws {
        let small = TestSupport.scratch("small").appendingPathComponent("small.png").path
        try TestSupport.ffmpeg(["-i", Self.photos.appendingPathComponent("astronaut.png").path, "-vf", "scale=200:200", small])
        let r = try TestSupport.facescan(["compare-faces", "--quality-filter", "HIGH", small, Self.bigAndSmall])
        try JobCommandTests.expectError(r, ["compare-faces"], .invalidParameter, mentioning: "SMALL_BOUNDING_BOX")
        #expect(try TestSupport.facescan(["compare-faces", "--quality-filter", "LOW", small, Self.bigAndSmall]).status == 0)
        try JobCommandTests.expectError(try TestSupport.facescan(["compare-faces", "--quality-filter", "BEST", small, small]), ["compare-faces"],
                                        .invalidParameter, mentioning: "NONE, AUTO, LOW, MEDIUM, HIGH")
    }

    /// A bad input path is reported as such even when the models are missing too (inputs are checked first).
    @Test func imageOperationsCheckTheirInputsFirst() throws {
        var home = Home()
        home.extra["FACESCAN_MODELS"] = TestSupport.scratch("no-models").path
        let astro = Self.photos.appendingPathComponent("astronaut.png").path
        for args in [["compare-faces", "/nonexistent/a.jpg", astro], ["compare-faces", astro, "/nonexistent/b.jpg"],
                     ["search-faces-by-image", "--collection", SearchFixtures.collection.path, "/nonexistent/c.jpg"]] {
            try JobCommandTests.expectError(try home.run(args), args, .invalidS3Object, mentioning: "/nonexistent/")
        }
    }

    @Test func qualityBarsGiveTheAPIsReasons() {
        var face = FaceDetail(boundingBox: BoundingBox(width: 0.1, height: 0.1, left: 0, top: 0), confidence: 85)
        face.quality = ImageQuality(brightness: 25, sharpness: 20)
        face.pose = Pose(roll: 0, yaw: 50, pitch: 0)
        #expect(QualityFilter.none.reasons(face, frameHeight: 100).isEmpty)
        // A face 100 px high, then 30 px high.
        #expect(QualityFilter.low.reasons(face, frameHeight: 1000).isEmpty)
        #expect(QualityFilter.medium.reasons(face, frameHeight: 1000).isEmpty)
        #expect(QualityFilter.auto.reasons(face, frameHeight: 300) == QualityFilter.medium.reasons(face, frameHeight: 300))
        #expect(QualityFilter.high.reasons(face, frameHeight: 1000) == ["LOW_CONFIDENCE", "LOW_SHARPNESS", "LOW_BRIGHTNESS", "EXTREME_POSE"])
        #expect(QualityFilter.medium.reasons(face, frameHeight: 300) == ["SMALL_BOUNDING_BOX"])
        #expect(QualityFilter.low.reasons(face, frameHeight: 300).isEmpty)
        face.confidence = .nan
        #expect(QualityFilter.low.reasons(face, frameHeight: 1000) == ["LOW_CONFIDENCE"], "a NaN never passes a bar")
    }

    @Test func aFailureAfterWarningsPrintsOnlyTheJSONError() throws {
        // A collection with a photo that is no image (a warning) and a video that does not exist.
        let dir = try SearchFixtures.makeCollection()
        try Data("not a picture".utf8).write(to: dir.appendingPathComponent("broken.jpg"))
        let args = ["search-faces-by-image", "--collection", dir.path, "/nonexistent/visitor.jpg"]
        try JobCommandTests.expectError(try TestSupport.facescan(args), args, .invalidS3Object, mentioning: "/nonexistent/visitor.jpg")
        // The image exists but has no face: the warnings of indexing came first, and are dropped.
        let noFace = ["search-faces-by-image", "--collection", dir.path, TestSupport.opencvData("fruits.jpg")]
        let r = try TestSupport.facescan(noFace)
        try JobCommandTests.expectError(r, noFace, .invalidParameter, mentioning: "no faces")
        // On success the warnings are printed, after the work.
        let ok = try TestSupport.facescan(["search-faces-by-image", "--collection", dir.path, TestSupport.opencvData("messi5.jpg")])
        #expect(ok.status == 0 && ok.stderr.contains("broken.jpg") && ok.stderr.hasPrefix("facescan: warning:"), "\(ok.stderr)")
    }

    @Test func resultsThatCannotBeWrittenFailTheCommand() throws {
        let home = Home()
        for args in [["detect", JobCommandTests.sample("no-face.mp4")], ["probe", JobCommandTests.sample("no-face.mp4")],
                     ["detect", "--output", "jsonl", JobCommandTests.sample("no-face.mp4")], ["--version"]] {
            let exe = TestSupport.executable
            let line = ([exe] + args).map { "'\($0)'" }.joined(separator: " ") + " > /dev/full"
            let r = try TestSupport.run(["bash", "-c", line], environment: home.environment)
            #expect(r.status == APIError.Kind.internalServerError.exitCode, "\(args): exit \(r.status)")
            let err = try parseJSON(r.stderr)
            #expect(err["__type"] as? String == "InternalServerError" && (err["Message"] as? String ?? "").contains("standard output"), "\(r.stderr)")
        }
        // A closed pipe is the reader's choice, not a failure.
        let piped = try TestSupport.run(["bash", "-c", "set -o pipefail; '\(TestSupport.executable)' detect '\(JobCommandTests.sample("several-faces.mp4"))' | head -c 10 >/dev/null"],
                                        environment: home.environment)
        #expect(piped.status == 0 && piped.stderr.isEmpty, "\(piped.stderr)")
    }

    /// Every DEFAULT face of the Hamilton clip (profiles included) has BoundingBox, Confidence,
    /// Landmarks, Pose and Quality, as code written for the service expects.
    @Test func everyFaceOfTheHamiltonClipHasPoseAndLandmarks() throws {
        let clip = TestSupport.shared.appendingPathComponent("data/face_recognition_examples/short_hamilton_clip.mp4").path
        guard FileManager.default.fileExists(atPath: clip) else {
            print("skipped: ../shared/data is absent (every face of the Hamilton clip has Pose)")
            return
        }
        let doc = try Home().json(["detect", clip], shape: "GetFaceDetection")
        let faces = (doc["Faces"] as? [[String: Any]] ?? []).compactMap { $0["Face"] as? [String: Any] }
        #expect(faces.count >= 60)
        for key in ["BoundingBox", "Confidence", "Landmarks", "Pose", "Quality"] {
            #expect(faces.allSatisfy { $0[key] != nil }, "every face has \(key)")
        }
        let profiles = faces.filter { ($0["Landmarks"] as? [Any])?.count == 3 }
        #expect(profiles.contains { abs(($0["Pose"] as? [String: Double])?["Yaw"] ?? 0) >= 45 }, "the profile close-up reads as a profile")
    }
}
