import Foundation
import Testing
@testable import FaceScan

/// Pose and landmarks of faces the mesh cannot read, from BlazeFace's six keypoints or MTCNN's five
/// landmarks: against the mesh's pose where both exist, on mirrored and turned copies, and on the profile close-up of the
/// Hamilton clip (../shared/data, when present).
@Suite(.serialized) struct KeypointPoseTests {
    /// Its own analyser: suites run in parallel, and an analyser is for one thread at a time.
    static let analyzer: FaceAnalyzer? = try? FaceAnalyzer(store: ModelStore(), threads: 2)

    static func face(_ image: RGBImage) throws -> AnalysedFace {
        let analyzer = try #require(analyzer, "models missing: run `facescan models fetch`")
        return try #require(try analyzer.analyse(image).first, "no face found")
    }

    static func keypointPose(_ f: AnalysedFace) throws -> HeadPose.Angles {
        try #require(KeypointPose.estimate(f.detection.keypoints), "keypoints give no pose")
    }

    @Test func frontalFaceIsNearZeroAndAgreesWithTheMesh() throws {
        let f = try Self.face(try FaceAttributeTests.photo("astronaut.png"))
        let p = try Self.keypointPose(f)
        #expect(abs(p.yaw) < 12 && abs(p.roll) < 8 && abs(p.pitch) < 12, "\(p)")
    }

    @Test(arguments: ["astronaut.png", "camera.png"])
    func mirroringNegatesYawAndRoll(name: String) throws {
        let image = try FaceAttributeTests.photo(name)
        let a = try Self.keypointPose(try Self.face(image))
        let b = try Self.keypointPose(try Self.face(image.mirrored()))
        let tolerance = 4 + abs(a.yaw) / 10
        #expect(abs(a.yaw + b.yaw) < tolerance && abs(a.roll + b.roll) < tolerance && abs(a.pitch - b.pitch) < tolerance,
                "\(a) vs mirrored \(b)")
    }

    @Test func turnedFaceIsReadAsTurnedTheSameWayAsTheMesh() throws {
        let f = try Self.face(try FaceAttributeTests.photo("camera.png"))
        let p = try Self.keypointPose(f), mesh = try #require(f.detail.pose)
        #expect(abs(p.yaw) > 20 && (p.yaw > 0) == (mesh.yaw > 0), "keypoints \(p), mesh \(mesh)")
    }

    @Test func mtcnnsLandmarksReadATurnedFaceAsTheMeshDoes() throws {
        let mtcnn = try MTCNNDetector(store: ModelStore(), threads: 2)
        for (name, turned) in [("astronaut.png", false), ("camera.png", true)] {
            let image = try FaceAttributeTests.photo(name)
            let f = try Self.face(image), mesh = try #require(f.detail.pose)
            let m = try #require(try mtcnn.detect(image).first).detection
            let p = try #require(KeypointPose.estimate(m.keypoints), "MTCNN's landmarks give no pose")
            // The cameraman, turned 54°: yaw only (the mesh reads roll 23, the five points 6; the test of
            // BlazeFace's keypoints on him checks yaw only too).
            #expect(abs(p.yaw - Double(mesh.yaw)) < 10, "\(name): landmarks \(p), mesh \(mesh)")
            if !turned { #expect(abs(p.roll - Double(mesh.roll)) < 6 && abs(p.pitch - Double(mesh.pitch)) < 12, "\(name): landmarks \(p), mesh \(mesh)") }
            #expect(turned ? abs(p.yaw) > 15 && (p.yaw > 0) == (mesh.yaw > 0) : abs(p.yaw) < 12, "\(name): \(p)")
        }
    }

    /// The fit itself: the model turned by known angles and projected gives those angles back.
    /// The same for MTCNN's five points.
    @Test(arguments: [(0.0, 0.0, 0.0), (10, 30, -5), (-25, -70, 15), (60, 85, 0), (170, -40, 20), (-90, 10, -30)])
    func recoversKnownAnglesFromAProjectedModel(roll: Double, yaw: Double, pitch: Double) throws {
        try recovers(roll: roll, yaw: yaw, pitch: pitch, model: KeypointPose.model, offset: KeypointPose.pitchOffsetDegrees)
        try recovers(roll: roll, yaw: yaw, pitch: pitch, model: KeypointPose.cornersModel, offset: KeypointPose.cornersPitchOffsetDegrees)
    }

    func recovers(roll: Double, yaw: Double, pitch: Double, model: [SIMD3<Double>], offset: Double) throws {
        let r = Double.pi / 180
        let phi = roll * r, theta = -(pitch + offset) * r, psi = -yaw * r
        func rz(_ a: Double) -> [[Double]] { [[cos(a), -sin(a), 0], [sin(a), cos(a), 0], [0, 0, 1]] }
        func rx(_ a: Double) -> [[Double]] { [[1, 0, 0], [0, cos(a), -sin(a)], [0, sin(a), cos(a)]] }
        func ry(_ a: Double) -> [[Double]] { [[cos(a), 0, sin(a)], [0, 1, 0], [-sin(a), 0, cos(a)]] }
        func mul(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
            (0..<3).map { i in (0..<3).map { j in (0..<3).reduce(0) { $0 + a[i][$1] * b[$1][j] } } }
        }
        let R = mul(rz(phi), mul(rx(theta), ry(psi)))
        let points = model.map { p -> (x: Double, y: Double) in
            (300 + 80 * (R[0][0] * p.x + R[0][1] * p.y + R[0][2] * p.z), 200 + 80 * (R[1][0] * p.x + R[1][1] * p.y + R[1][2] * p.z))
        }
        let got = try #require(KeypointPose.estimate(points))
        #expect(abs(HeadPose.clampDegrees(got.roll - roll)) < 0.01 && abs(got.yaw - yaw) < 0.01 && abs(got.pitch - pitch) < 0.01,
                "\(got) for roll \(roll) yaw \(yaw) pitch \(pitch)")
    }

    /// On photos: BlazeFace's keypoints follow a face turned in the image by up to about 45° (the
    /// detector was trained on upright faces, so at 90° they drift; the mesh's second pass corrects that
    /// for faces that have a mesh).
    @Test(arguments: [20.0, -35.0])
    func inPlaneRotationAddsToRoll(degrees: Double) throws {
        let image = try FaceAttributeTests.photo("astronaut.png")
        let a = try Self.keypointPose(try Self.face(image))
        let b = try Self.keypointPose(try Self.face(FaceAttributeTests.turned(image, degrees: degrees)))
        #expect(abs(HeadPose.clampDegrees(b.roll - a.roll - degrees)) < 6, "roll \(a.roll) → \(b.roll) for \(degrees)°")
        #expect(abs(b.yaw - a.yaw) < 6 && abs(b.pitch - a.pitch) < 6, "\(a) → \(b)")
    }

    @Test func degenerateOrNonFiniteKeypointsGiveNoPose() {
        #expect(KeypointPose.estimate([]) == nil)
        #expect(KeypointPose.estimate(Array(repeating: (10, 10), count: 6)) == nil)
        var k: [(x: Double, y: Double)] = [(10, 10), (30, 10), (20, 20), (20, 28), (0, 14), (40, 14)]
        #expect(KeypointPose.estimate(k) != nil)
        k[2] = (.nan, 20)
        #expect(KeypointPose.estimate(k) == nil)
        k[2] = (.infinity, 20)
        #expect(KeypointPose.estimate(k) == nil)
        #expect(KeypointPose.landmarks(k).map(\.type) == ["eyeLeft", "eyeRight"])
        // MTCNN's five: the mouth's corners are landmarks too.
        let five: [(x: Double, y: Double)] = [(10, 10), (30, 10), (20, 20), (13, 28), (27, 28)]
        #expect(KeypointPose.estimate(five) != nil)
        #expect(KeypointPose.landmarks(five).map(\.type) == ["eyeLeft", "eyeRight", "nose", "mouthLeft", "mouthRight"])
        #expect(KeypointPose.estimate(Array(five.prefix(4))) == nil)
    }

    /// On LFW faces that have a mesh, the keypoint pose against the mesh's: medians of the differences.
    @Test func agreesWithTheMeshOnLFW() throws {
        let dir = TestSupport.shared.appendingPathComponent("data/lfw_subset/images")
        guard FileManager.default.fileExists(atPath: dir.path) else {
            print("skipped: ../shared/data/lfw_subset is absent (keypoint pose against the mesh's on LFW)")
            return
        }
        let analyzer = try #require(Self.analyzer)
        let mtcnn = try MTCNNDetector(store: ModelStore(), threads: 2)
        // BlazeFace's six keypoints, and MTCNN's five landmarks of the same face.
        var six = Differences(), five = Differences()
        for person in try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() {
            for file in try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent(person).path).sorted() {
                let reader = try VideoReader(path: dir.appendingPathComponent(person).appendingPathComponent(file).path)
                reader.configure(sampling: .everyFrame)
                guard let image = try reader.next()?.image, let f = try analyzer.analyse(image).first, let mesh = f.detail.pose else { continue }
                if let p = KeypointPose.estimate(f.detection.keypoints) { six.add(p, mesh) }
                if let m = try mtcnn.detect(image).map(\.detection).max(by: { $0.iou(f.detection) < $1.iou(f.detection) }), m.iou(f.detection) > 0.3,
                   let p = KeypointPose.estimate(m.keypoints) {
                    five.add(p, mesh)
                }
            }
        }
        for (name, d) in [("BlazeFace's keypoints", six), ("MTCNN's landmarks", five)] {
            print("\(name): pose vs mesh pose on \(d.yaw.count) LFW faces: |Δyaw| median \(d.median(d.yaw)) p90 \(d.p90(d.yaw)), "
                  + "|Δpitch| median \(d.median(d.pitch)) p90 \(d.p90(d.pitch)) (signed median \(d.median(d.signedPitch))), "
                  + "|Δroll| median \(d.median(d.roll)) p90 \(d.p90(d.roll))")
            #expect(d.yaw.count >= 90)
            #expect(d.median(d.yaw) < 8 && d.median(d.roll) < 4 && d.median(d.pitch) < 10, "\(name)")
        }
    }

    struct Differences {
        var yaw: [Double] = [], pitch: [Double] = [], roll: [Double] = [], signedPitch: [Double] = []
        mutating func add(_ p: HeadPose.Angles, _ mesh: Pose) {
            yaw.append(abs(p.yaw - Double(mesh.yaw))); roll.append(abs(p.roll - Double(mesh.roll)))
            pitch.append(abs(p.pitch - Double(mesh.pitch))); signedPitch.append(p.pitch - Double(mesh.pitch))
        }
        func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
        func p90(_ v: [Double]) -> Double { v.sorted()[v.count * 9 / 10] }
    }

    /// The profile close-up of short_hamilton_clip.mp4 (frames 20–42): the faces the mesh rejects have
    /// Landmarks and a Pose that reads as a profile.
    @Test func hamiltonProfileReadsAsAProfile() throws {
        let clip = TestSupport.shared.appendingPathComponent("data/face_recognition_examples/short_hamilton_clip.mp4").path
        guard FileManager.default.fileExists(atPath: clip) else {
            print("skipped: ../shared/data is absent (the Hamilton clip's profile close-up)")
            return
        }
        let analyzer = try #require(Self.analyzer)
        let reader = try VideoReader(path: clip)
        reader.configure(sampling: .everyFrame, start: 700, end: 1400)
        var yaws: [Float] = [], unmeshed = 0
        while let frame = try reader.next() {
            let index = Int((Double(frame.timestamp) * 29.97 / 1000).rounded())
            guard (20...42).contains(index) else { continue }
            for f in try analyzer.analyse(frame.image) where f.meshed == nil && f.detail.boundingBox.height > 0.3 {
                unmeshed += 1
                let pose = try #require(f.detail.pose)
                #expect(f.detail.landmarks?.map(\.type) == ["eyeLeft", "eyeRight", "nose"])
                yaws.append(pose.yaw)
            }
        }
        print("Hamilton profile close-up: \(unmeshed) faces without a mesh, yaw \(yaws.map { Int($0) })")
        #expect(unmeshed >= 5)
        #expect(yaws.allSatisfy { abs($0) >= 45 }, "\(yaws)")
    }
}
