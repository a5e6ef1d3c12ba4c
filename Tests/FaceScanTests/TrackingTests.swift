import Foundation
import Testing
@testable import FaceScan

/// Video tracking (`FaceAnalyzer.analyse(run:)`): faces followed by their mesh between full detections,
/// on runs of frames composed from two photos with faces (scikit-image's astronaut and cameraman) on a
/// grey background: a face that moves, one that leaves, a cut to another face at the same place, a face
/// coming into view mid-run; and the schedule that groups a video's frames into runs.
@Suite(.serialized) struct TrackingTests {
    static let analyzer: FaceAnalyzer? = try? FaceAnalyzer(store: ModelStore(), threads: 2)

    /// The astronaut's face (about 106 px) with a margin, and the cameraman's (about 68 px, shown at 1.37×).
    static func astronaut() throws -> RGBImage { crop(try FaceAttributeTests.photo("astronaut.png"), x: 121, y: 19, side: 206, to: 206) }
    static func cameraman() throws -> RGBImage { crop(try FaceAttributeTests.photo("camera.png"), x: 164, y: 83, side: 150, to: 206) }

    /// A square of `image` scaled (nearest) to `size`.
    static func crop(_ image: RGBImage, x: Int, y: Int, side: Int, to size: Int) -> RGBImage {
        var out = RGBImage(width: size, height: size)
        for j in 0..<size {
            for i in 0..<size {
                let (r, g, b) = image[x + i * side / size, y + j * side / size]
                let d = (j * size + i) * 3
                out.pixels[d] = r; out.pixels[d + 1] = g; out.pixels[d + 2] = b
            }
        }
        return out
    }

    /// A 640×360 grey frame with `patches` pasted at their positions (clipped at the edges).
    static func frame(_ patches: [(RGBImage, Int, Int)], timestamp: Int64) -> SampledFrame {
        var canvas = RGBImage(width: 640, height: 360, red: 96, green: 96, blue: 96)
        for (p, x, y) in patches {
            for j in 0..<p.height where (0..<360).contains(y + j) {
                for i in 0..<p.width where (0..<640).contains(x + i) {
                    let s = (j * p.width + i) * 3, d = ((y + j) * 640 + x + i) * 3
                    canvas.pixels[d] = p.pixels[s]; canvas.pixels[d + 1] = p.pixels[s + 1]; canvas.pixels[d + 2] = p.pixels[s + 2]
                }
            }
        }
        return SampledFrame(timestamp: timestamp, image: canvas, frameIndex: Int(timestamp / 200))
    }

    static func centreX(_ f: TrackedFace) -> Double { (f.face.detection.xmin + f.face.detection.xmax) / 2 }

    @Test func aMovingFaceIsFollowedWithOneTrackAndItsBoxMovesWithIt() throws {
        let analyzer = try #require(Self.analyzer, "models missing: run `facescan models fetch`")
        let face = try Self.astronaut()
        let run = (0..<5).map { Self.frame([(face, 60 + 24 * $0, 80)], timestamp: Int64($0) * 200) }
        let tracked = try analyzer.analyse(run: run)
        #expect(tracked.map(\.count) == [1, 1, 1, 1, 1])
        #expect(Set(tracked.compactMap { $0.first?.track }).count == 1, "one track: \(tracked.map { $0.map(\.track) })")
        // The followed box moves 24 px a frame, as the face does, and stays on the face the detector finds.
        for k in 1..<5 {
            let step = Self.centreX(tracked[k][0]) - Self.centreX(tracked[k - 1][0])
            #expect(abs(step - 24) < 4, "frame \(k) moved \(step) px")
            let detected = try #require(try analyzer.analyse(run[k].image).first)
            #expect(detected.detection.iou(tracked[k][0].face.detection) > 0.7)
            #expect(tracked[k][0].face.meshed != nil && tracked[k][0].face.detail.confidence > 90)
        }
    }

    @Test func aFaceThatLeavesTheFrameIsNotReportedAfterwards() throws {
        let analyzer = try #require(Self.analyzer, "models missing: run `facescan models fetch`")
        let face = try Self.astronaut()
        // The face (50–156 px into its patch) is whole in frames 0–2 and out of the frame in frame 4.
        let run = (0..<5).map { Self.frame([(face, 100 + 140 * $0, 80)], timestamp: Int64($0) * 200) }
        let tracked = try analyzer.analyse(run: run)
        #expect(tracked[0].count == 1 && tracked[1].count == 1 && tracked[2].count == 1)
        #expect(tracked[4].isEmpty, "a face reported after it left: \(tracked[4].map { $0.face.detection })")
    }

    @Test func aCutToAnotherFaceAtTheSamePlaceStartsANewTrack() throws {
        let analyzer = try #require(Self.analyzer, "models missing: run `facescan models fetch`")
        let (a, b) = (try Self.astronaut(), try Self.cameraman())
        let run = (0..<6).map { Self.frame([($0 < 3 ? a : b, 200, 80)], timestamp: Int64($0) * 200) }
        // The background and place are the same: the picture's colours alone barely change.
        #expect(!ShotSignature(run[3].image).isCut(from: ShotSignature(run[2].image)))
        let tracked = try analyzer.analyse(run: run)
        #expect(tracked.map(\.count) == [1, 1, 1, 1, 1, 1])
        let before = Set(tracked[0..<3].compactMap { $0.first?.track }), after = Set(tracked[3...].compactMap { $0.first?.track })
        #expect(before.count == 1 && after.count == 1 && before.isDisjoint(with: after), "tracks \(before) then \(after)")
    }

    @Test func aFaceComingIntoViewMidRunGetsItsOwnTrack() throws {
        let analyzer = try #require(Self.analyzer, "models missing: run `facescan models fetch`")
        let (a, b) = (try Self.astronaut(), try Self.cameraman())
        let run = (0..<5).map { k in Self.frame([(a, 20, 80)] + (k >= 2 ? [(b, 400, 80)] : []), timestamp: Int64(k) * 200) }
        let tracked = try analyzer.analyse(run: run)
        #expect(tracked.map(\.count) == [1, 1, 2, 2, 2])
        func track(_ k: Int, left: Bool) -> Int? { tracked[k].first { (Self.centreX($0) < 320) == left }?.track }
        let first = Set((0..<5).compactMap { track($0, left: true) }), second = Set((2..<5).compactMap { track($0, left: false) })
        #expect(first.count == 1 && second.count == 1 && first.isDisjoint(with: second), "tracks \(first), \(second)")
    }

    @Test func inACrowdASmallFaceComingIntoViewIsFoundAtOnce() throws {
        let analyzer = try #require(Self.analyzer, "models missing: run `facescan models fetch`")
        // Five copies of the cameraman shrunk to 105 px (faces about 15 px: only MTCNN finds them, and
        // the mesh cannot read them), and a sixth from frame 2 on.
        let cam = try FaceAttributeTests.photo("camera.png")
        let small = Self.crop(cam, x: 0, y: 0, side: cam.width - 2, to: 105)
        let crowd = [(230, 40), (450, 20), (500, 200), (150, 130), (20, 120)], newcomer = (520, 110)
        let run = (0..<5).map { k in Self.frame((crowd + (k >= 2 ? [newcomer] : [])).map { (small, $0.0, $0.1) }, timestamp: Int64(k) * 200) }
        let tracked = try analyzer.analyse(run: run)
        #expect(tracked[0].count == 5 && tracked[0].filter { $0.face.detection.crowdOnly }.count >= FaceAnalyzer.crowdSceneFaces,
                "not a crowd: \(tracked[0].map(\.face.detection))")
        // Before, the whole-frame passes between full detections were BlazeFace's alone, which does not
        // see faces this small: the newcomer waited for the next full detection.
        #expect(tracked.map(\.count) == [5, 5, 6, 6, 6])
        func newcomers(_ k: Int) -> [TrackedFace] { tracked[k].filter { Self.centreX($0) > 520 && $0.face.detection.ymin > 100 && $0.face.detection.ymax < 200 } }
        #expect((2..<5).allSatisfy { newcomers($0).count == 1 })
        let tracks = Set((2..<5).flatMap { newcomers($0).map(\.track) })
        #expect(tracks.count == 1 && tracks.isDisjoint(with: tracked[0].map(\.track)), "tracks \(tracked.map { $0.map(\.track) })")
    }

    @Test func smallFacesOnlyTheCrowdDetectorFindsAreFollowedThroughTheRun() throws {
        let analyzer = try #require(Self.analyzer, "models missing: run `facescan models fetch`")
        // Copies of the cameraman shrunk 5× (faces about 14 px, which the mesh cannot read and BlazeFace
        // finds only on a square zoomed around them), drifting 3 px right a frame.
        let cam = try FaceAttributeTests.photo("camera.png")
        let small = Self.crop(cam, x: 0, y: 0, side: cam.width - 2, to: 100)
        let spots = [(20, 20), (230, 40), (450, 20), (60, 220), (300, 230), (500, 200)]
        let run = (0..<5).map { k in Self.frame(spots.map { (small, $0.0 + 3 * k, $0.1) }, timestamp: Int64(k) * 200) }
        let tracked = try analyzer.analyse(run: run)
        #expect(tracked[0].count >= 2 && tracked[0].allSatisfy { $0.face.detection.crowdOnly && $0.face.meshed == nil },
                "not faces only MTCNN finds: nothing tested \(tracked[0].map(\.face.detection))")
        // Each face of the full detection is followed, on its track, in every frame (and the crowd's
        // whole-frame passes add the copies the full detection missed).
        for k in 1..<5 {
            #expect(Set(tracked[0].map(\.track)).isSubset(of: tracked[k].map(\.track)), "tracks \(tracked.map { $0.map(\.track) })")
        }
        // Each box stays on its face (MTCNN's boxes of faces this small move by a pixel or two alone).
        for k in 1..<5 {
            for f in tracked[k] {
                guard let first = tracked[0].first(where: { $0.track == f.track }) else { continue }
                let offset = Self.centreX(f) - Self.centreX(first) - Double(3 * k)
                #expect(abs(offset) < 3.5, "track \(f.track) is \(offset) px off its face in frame \(k)")
            }
        }
    }

    @Test func aFrameOfAnotherShotRunsTheFullDetector() throws {
        let analyzer = try #require(Self.analyzer, "models missing: run `facescan models fetch`")
        let face = try Self.astronaut()
        // A bright frame (a flash, another shot) between two with the face: a cut by the picture's colours.
        let flash = SampledFrame(timestamp: 200, image: RGBImage(width: 640, height: 360, red: 250, green: 250, blue: 250), frameIndex: 1)
        let run = [Self.frame([(face, 100, 80)], timestamp: 0), flash, Self.frame([(face, 100, 80)], timestamp: 400)]
        #expect(ShotSignature(flash.image).isCut(from: ShotSignature(run[0].image)))
        let tracked = try analyzer.analyse(run: run)
        #expect(tracked.map(\.count) == [1, 0, 1])
        #expect(tracked[0][0].track != tracked[2][0].track)
    }

    @Test func runsLastTheDetectionIntervalAndAreCappedInFrames() throws {
        let path = TestSupport.repoRoot.appendingPathComponent("SampleVideos/" + "face-zoom.mp4").path
        func runs(_ schedule: TrackingSchedule, _ sampling: FrameSampling) throws -> [[Int64]] {
            let reader = try VideoReader(path: path)
            reader.configure(sampling: sampling)
            let runs = FrameRuns(reader, schedule: schedule)
            var out: [[Int64]] = []
            while case let run = try runs.next(), !run.isEmpty { out.append(run.map(\.timestamp)) }
            return out
        }
        let oneSecond = try runs(TrackingSchedule(detectionInterval: 1000), .rate(5))
        #expect(oneSecond.allSatisfy { $0.count <= 5 && $0.last! - $0.first! < 1000 })
        #expect(oneSecond.dropLast().allSatisfy { $0.count == 5 })
        #expect(try runs(.everyFrame, .rate(5)).allSatisfy { $0.count == 1 })
        #expect(try runs(TrackingSchedule(detectionInterval: 60_000), .everyFrame).allSatisfy { $0.count <= TrackingSchedule.maxRunFrames })
        // The runs hold every sampled frame once, in order.
        let reader = try VideoReader(path: path)
        reader.configure(sampling: .rate(5))
        var all: [Int64] = []
        while let f = try reader.next() { all.append(f.timestamp) }
        #expect(oneSecond.flatMap { $0 } == all)
    }

    @Test func readingAheadHandsOutEveryRunInOrderAndStopsWhenAsked() throws {
        let path = TestSupport.repoRoot.appendingPathComponent("SampleVideos/" + "face-zoom.mp4").path
        let reader = try VideoReader(path: path)
        reader.configure(sampling: .rate(5))
        let ahead = RunsAhead(FrameRuns(reader, schedule: TrackingSchedule(detectionInterval: 1000)), capacity: 2)
        var got: [Int64] = []
        while case let batch = try ahead.next(upTo: 2), !batch.isEmpty { got += batch.flatMap { $0.map(\.timestamp) } }
        ahead.finish()
        let again = try VideoReader(path: path)
        again.configure(sampling: .rate(5))
        var all: [Int64] = []
        while let f = try again.next() { all.append(f.timestamp) }
        #expect(got == all)
        // Stopped after the first batch: finish() returns (the thread ends) and may be called twice.
        let early = try VideoReader(path: path)
        early.configure(sampling: .rate(5))
        let stopped = RunsAhead(FrameRuns(early, schedule: TrackingSchedule(detectionInterval: 1000)), capacity: 1)
        #expect(try !stopped.next(upTo: 1).isEmpty)
        stopped.finish()
        stopped.finish()
    }

    @Test func trackingFindsTheFacesOfDetectingInEveryFrameOnTheSamples() throws {
        let pipeline = try FaceDetectionPipeline(threads: 2)
        for name in ["face-zoom.mp4", "several-faces.mp4"] {
            var every = FaceDetectionRequest(path: TestSupport.repoRoot.appendingPathComponent("SampleVideos/" + name).path)
            every.tracking = .everyFrame
            var tracked = every
            tracked.tracking = .default
            let reference = try pipeline.run(every).faces, followed = try pipeline.run(tracked).faces
            // Every face of the every-frame run is found in its frame, at the same place.
            for r in reference {
                let box = r.face.boundingBox
                let same = followed.contains { f in
                    f.timestamp == r.timestamp && abs(f.face.boundingBox.left - box.left) < 0.5 * box.width
                        && abs(f.face.boundingBox.top - box.top) < 0.5 * box.height
                }
                #expect(same, "\(name): the face at \(r.timestamp) ms, \(box), is missing with tracking")
            }
        }
    }

    @Test func jobsKeepTheirDetectionInterval() throws {
        var r = FaceDetectionRequest(path: "/videos/v.mp4")
        r.tracking = TrackingSchedule(detectionInterval: 500)
        let job = FaceDetectionJob.jobRequest(r)
        #expect(job.parameters["DetectionInterval"] == "500")
        #expect(try FaceDetectionJob.detectionRequest(job).tracking == r.tracking)
        // The default is written out, so that a start with and without --detection-interval 2 is one request.
        #expect(FaceDetectionJob.jobRequest(FaceDetectionRequest(path: "/videos/v.mp4")).parameters["DetectionInterval"] == "2000")
        // A job stored before tracking existed ran the full detector on every frame, and still does.
        var old = job
        old.parameters["DetectionInterval"] = nil
        #expect(try FaceDetectionJob.detectionRequest(old).tracking == .everyFrame)
        old.parameters["DetectionInterval"] = "-3"
        #expect(throws: APIError.self) { try FaceDetectionJob.detectionRequest(old) }
    }

    @Test func runsAnalysedAtOnceAreEmittedInOrderAndAnEmitErrorStopsTheWork() throws {
        let path = TestSupport.repoRoot.appendingPathComponent("SampleVideos/" + "face-zoom.mp4").path
        func ahead() throws -> RunsAhead {
            let reader = try VideoReader(path: path)
            reader.configure(sampling: .rate(5))
            return RunsAhead(FrameRuns(reader, schedule: TrackingSchedule(detectionInterval: 1)), capacity: 2)
        }
        // Worker 0 is slow, so worker 1 finishes later runs first: they must still come out in order.
        let set = WorkerSet([0, 1])
        var order: [Int64] = []
        let runs = try ahead()
        try set.forEachRun(runs, analyse: { w, run in usleep(w == 0 ? 30_000 : 1_000); return run[0].timestamp },
                           emit: { timestamps, first in
            #expect(timestamps.count == 1 && timestamps[0] == first)
            order.append(first)
        })
        runs.finish()
        #expect(order.count == 30 && order == order.sorted())
        // An error from emit (a job stopped) is thrown, and nothing is emitted after it.
        var emitted = 0
        let stopped = try ahead()
        #expect(throws: APIError.self) {
            try set.forEachRun(stopped, analyse: { _, run in run[0].timestamp }, emit: { _, _ in
                emitted += 1
                if emitted == 3 { throw APIError(.internalServerError, "stopped") }
            })
        }
        stopped.finish()
        #expect(emitted == 3)
    }
}
