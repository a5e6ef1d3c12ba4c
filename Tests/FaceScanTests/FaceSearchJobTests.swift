import Foundation
import Testing
@testable import FaceScan

/// start-face-search, get-face-search and search as a job, through the built executable, each test with
/// its own job store: statuses, pages in both sort orders against the merged search output, tokens bound
/// to the sort order, idempotency, collection errors at start and in the job, shapes.
@Suite struct FaceSearchJobTests {
    typealias Home = JobCommandTests.Home

    static func home(_ name: String = #function) -> Home { Home(name, operation: .faceSearch) }

    static var collection: String { SearchFixtures.collection.path }

    static var video: String { SearchFixtures.revisitVideo }

    /// The search most tests run: 2 frames a second of the 4.8-second fixture (the astronaut, messi,
    /// the astronaut again).
    static var searchArgs: [String] { ["--collection", collection, "--sample-rate", "2", video] }

    static func persons(_ pages: [[String: Any]]) -> [Any] { pages.flatMap { $0["Persons"] as? [Any] ?? [] } }

    @Test func startThenGetThroughTheStatuses() throws {
        let home = Self.home()
        let note = TestSupport.scratch().appendingPathComponent("note.json").path
        // The 8-second fixture at 5 frames a second, the full detector on every frame (no tracking): long
        // enough to be seen running, with Progress from the moment the analysis begins.
        let id = try home.start(["--job-tag", "search:1", "--notification-command", "cat > '\(note)'", "--detection-interval", "0",
                                 "--collection", Self.collection, SearchFixtures.video])
        #expect(id.count == 64 && JobStore.isValidId(id))
        var messages: [String] = []
        var text = "", doc: [String: Any] = [:]
        let deadline = Date().addingTimeInterval(180)
        repeat {
            // list-jobs first, then the job itself: a Progress read while the job still runs is kept only
            // if the job is still IN_PROGRESS afterwards.
            let listed = (try home.json(["list-jobs"], shape: nil)["Jobs"] as? [[String: Any]])?.first
            // Polled without the (slower) shape check, which the first and the last documents get.
            let r = try home.run(["get-face-search", "--job-id", id])
            #expect(r.status == 0, "\(r.stderr)")
            if text.isEmpty { try TestSupport.shapeCheck("GetFaceSearch", r.stdout) }
            text = r.stdout
            doc = try parseJSON(text)
            #expect(doc["JobId"] as? String == id && doc["JobTag"] as? String == "search:1")
            #expect((doc["VideoMetadata"] as? [String: Any])?["DurationMillis"] as? Int == 8000, "VideoMetadata from the start")
            guard doc["JobStatus"] as? String == "IN_PROGRESS" else { break }
            #expect(doc["NextToken"] == nil && (doc["Persons"] as? [Any])?.isEmpty == true)
            // The service sets StatusMessage only to describe a failure; list-jobs shows the progress.
            #expect(doc["StatusMessage"] == nil, "no StatusMessage while IN_PROGRESS: \(doc)")
            messages.append(listed?["Progress"] as? String ?? "")
        } while Date() < deadline
        try TestSupport.shapeCheck("GetFaceSearch", text)
        #expect(doc["JobStatus"] as? String == "SUCCEEDED" && doc["StatusMessage"] == nil, "\(doc)")
        #expect(messages.contains { $0.hasPrefix("analysed ") && $0.contains(" of 0:00:08.0 of video (") },
                "list-jobs says how far the analysis got: \(Set(messages))")
        let persons = doc["Persons"] as? [[String: Any]] ?? []
        let names = Set(persons.compactMap { (($0["FaceMatches"] as? [[String: Any]])?.first?["Face"] as? [String: Any])?["ExternalImageId"] as? String })
        #expect(names == ["eileen_collins", "messi"])
        #expect(persons.filter { !(($0["FaceMatches"] as? [Any])?.isEmpty ?? true) }
                    .allSatisfy { ($0["Timestamp"] as? Int ?? 0) < 2000 || ($0["Timestamp"] as? Int ?? 0) >= 6000 },
                "nobody matched in the fruit's or the stranger's seconds")
        // list-jobs and the notification know the job as StartFaceSearch; delete-job removes it.
        let job = try #require((try home.json(["list-jobs"], shape: nil)["Jobs"] as? [[String: Any]])?.first)
        #expect(job["JobId"] as? String == id && job["API"] as? String == "StartFaceSearch" && job["JobStatus"] as? String == "SUCCEEDED")
        #expect(job["Results"] as? Int == persons.count && job["Video"] as? String == SearchFixtures.video)
        let message = try JobStoreTests.waitForFile(note)
        #expect(message["API"] as? String == "StartFaceSearch" && message["Status"] as? String == "SUCCEEDED" && message["JobId"] as? String == id)
        // Each Get answers for its own kind of job only.
        try home.expectError(["get-face-detection", "--job-id", id], .resourceNotFound, mentioning: "StartFaceSearch")
        #expect(try home.json(["delete-job", "--job-id", id], shape: nil)["JobStatus"] as? String == "SUCCEEDED")
        try home.expectError(["get-face-search", "--job-id", id], .resourceNotFound)
    }

    @Test func pagesConcatenateToTheMergedSearchInBothOrders() throws {
        let home = Self.home()
        // The merged output of plain searches, which leave no job.
        let mergedPersons = try ["TIMESTAMP", "INDEX"].map { order in
            let doc = try home.json(["search", "--sort-by", order] + Self.searchArgs, shape: "GetFaceSearch")
            #expect(doc["JobId"] == nil && doc["NextToken"] == nil && doc["JobStatus"] as? String == "SUCCEEDED")
            return doc["Persons"] as? [[String: Any]] ?? []
        }
        let merged = mergedPersons.map { JobCommandTests.canonical($0) }
        #expect((try home.json(["list-jobs"], shape: nil)["Jobs"] as? [Any])?.isEmpty == true)
        let count = merged[0].count
        #expect(count >= 7, "the astronaut and messi in most of the 10 frames")
        #expect(Set(merged[0]) == Set(merged[1]) && merged[0] != merged[1], "the same Persons in another order")
        // INDEX order puts the astronaut's second appearance before messi.
        let order = mergedPersons[1].map { ((($0["FaceMatches"] as? [[String: Any]])?.first?["Face"] as? [String: Any])?["ExternalImageId"] as? String ?? "") }
        #expect(order.firstIndex(of: "messi").map { order[$0...].allSatisfy { $0 == "messi" } } == true && order.first == "eileen_collins", "\(order)")

        let id = try home.start(Self.searchArgs)
        #expect(try home.waitForEnd(id)["JobStatus"] as? String == "SUCCEEDED")
        for (o, order) in ["TIMESTAMP", "INDEX"].enumerated() {
            for n in [1, 2, count - 1, count, 1000] {
                let pages = try home.pages(id, maxResults: n, ["--sort-by", order])
                #expect(JobCommandTests.canonical(Self.persons(pages)) == merged[o], "\(order), MaxResults \(n)")
                #expect(pages.count == (count + n - 1) / n, "\(order), MaxResults \(n)")
                #expect(pages.allSatisfy { $0["VideoMetadata"] != nil && $0["JobId"] as? String == id }, "VideoMetadata in every page")
            }
        }
        // INDEX groups by person, then by time.
        let byIndex = try home.get(id, ["--sort-by", "INDEX"])["Persons"] as? [[String: Any]] ?? []
        let keys = byIndex.map { (($0["Person"] as! [String: Any])["Index"] as! Int, $0["Timestamp"] as! Int) }
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 < $1 })

        // search --max-results: the first page of the order asked for, the job kept for get-face-search.
        let first = try home.json(["search", "--max-results", "3", "--sort-by", "INDEX"] + Self.searchArgs, shape: "GetFaceSearch")
        let kept = try #require(first["JobId"] as? String)
        #expect(JobCommandTests.canonical(first["Persons"] as? [Any] ?? []) == Array(merged[1].prefix(3)))
        let token = try #require(first["NextToken"] as? String)
        let next = try home.get(kept, ["--sort-by", "INDEX", "--max-results", "3", "--next-token", token])
        #expect(JobCommandTests.canonical(next["Persons"] as? [Any] ?? []) == Array(merged[1][3..<min(6, count)]))
        try TestSupport.requestCheck("GetFaceSearch", ["JobId": kept, "MaxResults": 3, "NextToken": token, "SortBy": "INDEX"])

        // search --output jsonl: the pages get-face-search serves, one per line, in each order.
        for order in ["TIMESTAMP", "INDEX"] {
            let r = try home.run(["search", "--output", "jsonl", "--max-results", "4", "--sort-by", order] + Self.searchArgs)
            #expect(r.status == 0, "\(r.stderr)")
            let lines = r.stdout.split(separator: "\n").map(String.init)
            for line in lines { try TestSupport.shapeCheck("GetFaceSearch", line) }
            let docs = try lines.map { try parseJSON($0) }
            #expect(docs.count == (count + 3) / 4 && docs.last?["JobStatus"] as? String == "SUCCEEDED")
            let streamed = try #require(docs.first?["JobId"] as? String)
            let pages = try home.pages(streamed, maxResults: 4, ["--sort-by", order])
            #expect(JobCommandTests.canonical(Self.persons(docs)) == JobCommandTests.canonical(Self.persons(pages)))
            #expect(docs.map { $0["NextToken"] as? String } == pages.map { $0["NextToken"] as? String })
        }
        // GetFaceSearch's member order: NextToken before VideoMetadata.
        let text = try home.run(["get-face-search", "--job-id", id, "--max-results", "1"]).stdout
        let tokenAt = try #require(text.range(of: "\"NextToken\"")), metadataAt = try #require(text.range(of: "\"VideoMetadata\""))
        #expect(tokenAt.lowerBound < metadataAt.lowerBound)
    }

    @Test func tokensAreBoundToTheSortOrder() throws {
        let home = Self.home()
        let first = try home.json(["search", "--max-results", "2"] + Self.searchArgs, shape: "GetFaceSearch")
        let id = try #require(first["JobId"] as? String)
        let timestampToken = try #require(first["NextToken"] as? String)
        try home.expectError(["get-face-search", "--job-id", id, "--sort-by", "INDEX", "--next-token", timestampToken],
                             .invalidPaginationToken, mentioning: "belongs to the TIMESTAMP sort order, not INDEX")
        let indexToken = try #require(try home.get(id, ["--sort-by", "INDEX", "--max-results", "2"])["NextToken"] as? String)
        try home.expectError(["get-face-search", "--job-id", id, "--next-token", indexToken],
                             .invalidPaginationToken, mentioning: "belongs to the INDEX sort order, not TIMESTAMP")
        // Each token works in its own order.
        #expect((try home.get(id, ["--max-results", "2", "--next-token", timestampToken])["Persons"] as? [Any])?.count == 2)
        #expect((try home.get(id, ["--sort-by", "INDEX", "--max-results", "2", "--next-token", indexToken])["Persons"] as? [Any])?.count == 2)
        try home.expectError(["get-face-search", "--job-id", id, "--sort-by", "NAME"], .invalidParameter, mentioning: "--sort-by")
    }

    @Test func clientRequestTokenIdempotency() throws {
        let home = Self.home()
        let args = ["--client-request-token", "search-1", "--face-match-threshold", "90"] + Self.searchArgs
        let id = try home.start(args)
        // The same request: the collection named another way, the threshold spelt another way.
        let relative = Self.collection.replacingOccurrences(of: "/collection", with: "/./collection") + "/"
        #expect(try home.start(["--client-request-token", "search-1", "--face-match-threshold", "90.0", "--collection", relative,
                                "--sample-rate", "2", Self.video]) == id)
        #expect((try home.json(["list-jobs"], shape: nil)["Jobs"] as? [Any])?.count == 1, "the repeat started nothing")
        try TestSupport.requestCheck("StartFaceSearch", ["Video": ["S3Object": ["Bucket": "local", "Name": Self.video]],
                                                             "CollectionId": "known", "FaceMatchThreshold": 90,
                                                             "ClientRequestToken": "search-1", "JobTag": "search:1"])
        // Another threshold, another collection, another kind of job: a mismatch.
        try home.expectError(["start-face-search", "--client-request-token", "search-1", "--face-match-threshold", "80"] + Self.searchArgs,
                             .idempotentParameterMismatch, mentioning: id)
        let other = try SearchFixtures.makeCollection()
        try home.expectError(["start-face-search", "--client-request-token", "search-1", "--face-match-threshold", "90",
                              "--collection", other.path, "--sample-rate", "2", Self.video], .idempotentParameterMismatch)
        try home.expectError(["start-face-detection", "--client-request-token", "search-1", "--sample-rate", "2", Self.video],
                             .idempotentParameterMismatch)
        #expect(try home.waitForEnd(id)["JobStatus"] as? String == "SUCCEEDED")
        #expect(try home.start(args) == id, "still the same job once it ended")
    }

    @Test func collectionErrorsAtStartOrInTheJob() throws {
        let home = Self.home()
        // Cheap to check: at start, and no job is made.
        try home.expectError(["start-face-search", "--collection", "/nonexistent/dir", Self.video], .resourceNotFound,
                             mentioning: "/nonexistent/dir does not exist")
        try home.expectError(["start-face-search", "--collection", Self.collection, "/nonexistent/clip.mp4"], .invalidS3Object,
                             mentioning: "unable to access the object")
        try home.expectError(["start-face-search", Self.video], .invalidParameter, mentioning: "--collection")
        #expect((try home.json(["list-jobs"], shape: nil)["Jobs"] as? [Any])?.isEmpty == true)
        // No image, or no face in any image: an empty collection, which nobody matches (the service's answer).
        for dir in [TestSupport.scratch("empty"), try SearchFixtures.facelessCollection()] {
            let id = try home.start(["--collection", dir.path, Self.video])
            let done = try home.waitForEnd(id)
            #expect(done["JobStatus"] as? String == "SUCCEEDED", "\(done)")
            let persons = done["Persons"] as? [[String: Any]] ?? []
            #expect(!persons.isEmpty && persons.allSatisfy { ($0["FaceMatches"] as? [Any])?.isEmpty == true })
        }
    }
}
