import Foundation
import Testing
@testable import FaceScan

/// A video job split into segments (`VideoSegments`) gives the result of one process reading the whole
/// video: segments start on the grid that runs of frames are cut on, so each segment's frames and runs
/// are the whole video's; detection's faces are concatenated, a search's runs are linked in one place.
@Suite struct SegmentTests {
    static let zoom = TestSupport.repoRoot.appendingPathComponent("SampleVideos/face-zoom.mp4").path

    @Test func segmentsFallOnMultiplesOfTheLengthRoundedUpToTheDetectionInterval() throws {
        var r = FaceDetectionRequest(path: "/v.mp4")
        r.tracking = TrackingSchedule(detectionInterval: 2000)
        let job = FaceDetectionJob.jobRequest(r)
        #expect(try VideoSegments.plan(job, durationMillis: 7000, length: 3000)
                == [VideoSegment(start: 0, end: 4000), VideoSegment(start: 4000, end: nil)])
        #expect(try VideoSegments.plan(job, durationMillis: 7000, length: 2000).map(\.start) == [0, 2000, 4000, 6000])
        #expect(try VideoSegments.plan(job, durationMillis: nil, length: 2000) == [VideoSegment(start: 0, end: nil)])
        r.start = 500
        r.end = 5000
        let ranged = FaceDetectionJob.jobRequest(r)
        #expect(try VideoSegments.plan(ranged, durationMillis: 7000, length: 2000)
                == [VideoSegment(start: 500, end: 2000), VideoSegment(start: 2000, end: 4000), VideoSegment(start: 4000, end: nil)])
        // A segment's request: its range, End inclusive; the last keeps the job's own End.
        let parts = try VideoSegments.plan(ranged, durationMillis: 7000, length: 2000).map { VideoSegments.request(ranged, $0) }
        #expect(parts.map { $0.parameters["Start"] } == ["500", "2000", "4000"])
        #expect(parts.map { $0.parameters["End"] } == ["1999", "3999", "5000"])
    }

    /// The runs of a reader started at a multiple of the detection interval are those of a reader from
    /// the job's start, there. Fails with runs counted from the first frame read: from 500 ms the whole
    /// video's runs start at 500, 1500, 2500, …, so none starts at 3000.
    @Test func aReaderStartedOnTheGridHasTheWholeVideosRunsThere() throws {
        func runs(from start: Int64) throws -> [[Int64]] {
            let reader = try VideoReader(path: Self.zoom)
            reader.configure(sampling: .rate(5), start: start)
            let runs = FrameRuns(reader, schedule: TrackingSchedule(detectionInterval: 1000))
            var out: [[Int64]] = []
            while case let run = try runs.next(), !run.isEmpty { out.append(run.map(\.timestamp)) }
            return out
        }
        let whole = try runs(from: 500)
        let tail = try runs(from: 3000)
        #expect(!tail.isEmpty)
        #expect(Array(whole.suffix(tail.count)) == tail)
        #expect(whole.allSatisfy { run in run.allSatisfy { $0 / 1000 == run[0] / 1000 } })
    }

    /// At 29.97 fps the frame at 16984 ms stands for the sample time 17000 (it is within half a frame
    /// of it): a segment from 17000 continues the sampling and does not take the next frame too. Also
    /// 3 frames a second, where 2700000 / (1000 / 3) is not a whole number in floating point.
    @Test func segmentsSampleTheFramesOfOneReaderAtNTSCRates() throws {
        let path = TestSupport.scratch().appendingPathComponent("ntsc.mp4").path
        try TestSupport.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=64x48:rate=30000/1001:duration=20", "-c:v", "libx264", "-g", "30",
                                "-pix_fmt", "yuv420p", path])
        func stamps(_ rate: Double, from start: Int64? = nil, to end: Int64? = nil, continuing: Bool = false) throws -> [Int64] {
            let reader = try VideoReader(path: path)
            reader.configure(sampling: .rate(rate), start: start, end: end, continuing: continuing)
            var out: [Int64] = []
            while let f = try reader.next() { out.append(f.timestamp) }
            return out
        }
        for rate in [5.0, 3.0] {
            let whole = try stamps(rate)
            let cuts: [Int64] = [0, 9000, 17000, 20000]
            var pieces: [Int64] = []
            for (a, b) in zip(cuts, cuts.dropFirst()) { pieces += try stamps(rate, from: a, to: b - 1, continuing: a > 0) }
            #expect(pieces == whole, "rate \(rate)")
        }
        #expect(try stamps(5).contains(16984), "the frame before 17000 stands for it")
    }

    @Test func detectionInSegmentsEqualsOneProcess() throws {
        let pipeline = try FaceDetectionPipeline()
        var r = FaceDetectionRequest(path: Self.zoom)
        r.tracking = TrackingSchedule(detectionInterval: 1000)
        r.start = 300
        func faces(_ request: FaceDetectionRequest) throws -> [String] {
            var out: [String] = []
            _ = try pipeline.stream(request, frame: { _, found in out += found.map { $0.json.rendered() } })
            return out
        }
        let whole = try faces(r)
        let job = FaceDetectionJob.jobRequest(r)
        let duration = try VideoReader(path: Self.zoom).metadata.durationMillis
        let segments = try VideoSegments.plan(job, durationMillis: duration, length: 1000)
        #expect(segments.count == 6)
        let pieces = try segments.map { try faces(try FaceDetectionJob.detectionRequest(VideoSegments.request(job, $0))) }
        #expect(pieces.allSatisfy { !$0.isEmpty })
        #expect(pieces.flatMap { $0 } == whole)
    }

    /// A search's segments store their described runs as JSON; linking them all gives the persons, the
    /// Indexes and the matches of the whole-video search.
    @Test func searchInSegmentsEqualsOneProcess() throws {
        let pipeline = try FaceSearchPipeline()
        let collection = try CollectionSource.folder(SearchFixtures.collection).load(analyzer: pipeline.analyzer, describer: pipeline.describer)
        var r = FaceSearchRequest(path: SearchFixtures.revisitVideo, collection: SearchFixtures.collection)
        r.tracking = TrackingSchedule(detectionInterval: 1000)
        let whole = try pipeline.run(r, collection: collection).persons.map { $0.json.rendered() }
        #expect(Set(whole.map { try! parseJSON($0)["Person"].map { ($0 as! [String: Any])["Index"] as! Int } ?? -1 }).count == 2)

        let job = FaceSearchJob.jobRequest(r)
        let segments = try VideoSegments.plan(job, durationMillis: try VideoReader(path: r.path).metadata.durationMillis, length: 1000)
        #expect(segments.count >= 4)
        let linker = try PersonLinker()
        for segment in segments {
            var stored: [String] = []
            _ = try pipeline.describe(try FaceSearchJob.searchRequest(VideoSegments.request(job, segment))) { run in
                stored.append(String(decoding: try JSONEncoder().encode(run), as: UTF8.self))
            }
            for text in stored { try linker.add(try JSONDecoder().decode(DescribedRun.self, from: Data(text.utf8))) }
        }
        var merged: [String] = []
        try linker.finish(collection: collection, threshold: r.faceMatchThreshold) { merged += $0.map { $0.json.rendered() } }
        #expect(merged == whole)
    }
}
