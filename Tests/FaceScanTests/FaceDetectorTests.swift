import Foundation
import Testing
@testable import FaceScan

/// The detector on photos that Debian's opencv-doc ships, on frames the tests compose, and its parts.
/// Serialized: the tests share one detector, which is not thread-safe.
@Suite(.serialized) struct FaceDetectorTests {
    static let detector: FaceDetector? = try? FaceDetector(store: ModelStore(), threads: 2)
    static let analyzer: FaceAnalyzer? = try? FaceAnalyzer(store: ModelStore(), threads: 2)

    static func image(_ path: String) throws -> RGBImage {
        let reader = try VideoReader(path: path)
        reader.configure(sampling: .everyFrame)
        return try #require(try reader.next()).image
    }

    /// A region of an image, scaled (nearest) by `factor` and pasted at (x, y) into a grey canvas.
    static func paste(_ src: RGBImage, crop: (Int, Int, Int, Int), factor: Double, into width: Int, _ height: Int, at x: Int, _ y: Int) -> RGBImage {
        var canvas = RGBImage(width: width, height: height, red: 96, green: 96, blue: 96)
        let (cx, cy, cw, ch) = crop
        let ow = Int(Double(cw) * factor), oh = Int(Double(ch) * factor)
        for j in 0..<oh {
            for i in 0..<ow {
                let sx = cx + Int(Double(i) / factor), sy = cy + Int(Double(j) / factor)
                let s = (sy * src.width + sx) * 3, d = ((y + j) * width + (x + i)) * 3
                canvas.pixels[d] = src.pixels[s]; canvas.pixels[d + 1] = src.pixels[s + 1]; canvas.pixels[d + 2] = src.pixels[s + 2]
            }
        }
        return canvas
    }

    @Test func messiHasOneFaceWhereAPersonSeesIt() throws {
        let detector = try #require(Self.detector, "models missing: run `facescan models fetch`")
        let faces = try detector.detect(try Self.image(TestSupport.opencvData("messi5.jpg")))
        #expect(faces.count == 1)
        let f = try #require(faces.first)
        // Checked by eye on the 548x342 photo: the face spans about x 226–259, y 96–129.
        #expect(abs((f.xmin + f.xmax) / 2 - 242) < 6 && abs((f.ymin + f.ymax) / 2 - 112) < 6, "centre \(f.xmin)…\(f.xmax), \(f.ymin)…\(f.ymax)")
        #expect(f.width > 25 && f.width < 45 && f.height > 25 && f.height < 45)
        #expect(f.score > 0.7)
        // Keypoints: the image-left eye left of the image-right eye, both above the mouth.
        #expect(f.keypoints[0].x < f.keypoints[1].x)
        #expect(f.keypoints[0].y < f.keypoints[3].y && f.keypoints[1].y < f.keypoints[3].y)
    }

    @Test(arguments: ["fruits.jpg", "building.jpg", "box.png", "left01.jpg", "HappyFish.jpg",
                      "starry_night.jpg", "smarties.png", "home.jpg", "orange.jpg", "butterfly.jpg", "stuff.jpg"])
    func photosWithoutFacesGiveNone(name: String) throws {
        let analyzer = try #require(Self.analyzer, "models missing: run `facescan models fetch`")
        #expect(try analyzer.analyse(try Self.image(TestSupport.opencvData(name))).isEmpty)
    }

    /// sudoku.png is a photo of a newspaper page whose top edge shows a printed portrait (a face of about
    /// 21×28 px, checked by eye). BlazeFace misses it; MTCNN finds it and the mesh reads it.
    @Test func thePrintedFaceInSudokuIsFound() throws {
        let analyzer = try #require(Self.analyzer, "models missing: run `facescan models fetch`")
        let faces = try analyzer.analyse(try Self.image(TestSupport.opencvData("sudoku.png")))
        try #require(faces.count == 1, "\(faces.count) faces")
        let d = faces[0].detection
        #expect(abs((d.xmin + d.xmax) / 2 - 103) < 6 && abs((d.ymin + d.ymax) / 2 - 16) < 6, "\(d)")
        #expect(d.crowdOnly && faces[0].meshed != nil)
    }

    /// Six copies of astronaut.png shrunk 6 times (faces of about 30 px) on a grey 640×360 frame: the crowd
    /// detector finds all six, BlazeFace alone not all.
    @Test func theCrowdDetectorFindsSmallFacesBlazeFaceMisses() throws {
        let astro = try FaceAttributeTests.photo("astronaut.png")
        var frame = RGBImage(width: 640, height: 360, red: 128, green: 128, blue: 128)
        let spots = [(20, 20), (230, 40), (450, 20), (60, 220), (300, 250), (520, 200)]
        for (x0, y0) in spots {
            for y in stride(from: 0, to: astro.height, by: 6) {
                for x in stride(from: 0, to: astro.width, by: 6) {
                    let s = (y * astro.width + x) * 3, d = ((y0 + y / 6) * 640 + x0 + x / 6) * 3
                    for c in 0..<3 { frame.pixels[d + c] = astro.pixels[s + c] }
                }
            }
        }
        let analyzer = try #require(Self.analyzer, "models missing: run `facescan models fetch`")
        let faces = try analyzer.analyse(frame)
        #expect(faces.count == 6, "\(faces.map(\.detection))")
        for (x0, y0) in spots {
            #expect(faces.contains { $0.detection.xmin >= Double(x0) - 4 && $0.detection.xmax <= Double(x0 + 90) && $0.detection.ymin >= Double(y0) - 4 && $0.detection.ymax <= Double(y0 + 90) },
                    "no face found in the copy at \(x0), \(y0)")
        }
        var options = FaceDetector.Options()
        options.crowds = false
        let blazeFace = try FaceDetector(store: ModelStore(), threads: 2, options: options)
        #expect(try blazeFace.detect(frame).filter { $0.score >= FaceAnalyzer.unmeshedMinScore }.count < 6)
    }

    @Test func aBoxOverAGroupDoesNotTakeTheFacesInIt() throws {
        // Six copies of the astronaut at 110 px (faces about 22 px): BlazeFace draws one weak box
        // (about 100 px, probability 0.5) over the middle ones, which MTCNN finds one by one. Before,
        // that box took the MTCNN face it held as its own and was reported, unmeshed, in its place.
        let astro = try FaceAttributeTests.photo("astronaut.png")
        let small = TrackingTests.crop(astro, x: 0, y: 0, side: astro.width - 2, to: 110)
        let spots = [(20, 20), (230, 40), (450, 20), (60, 220), (300, 230), (500, 200)]
        let frame = TrackingTests.frame(spots.map { (small, $0.0, $0.1) }, timestamp: 0).image
        let analyzer = try #require(Self.analyzer, "models missing: run `facescan models fetch`")
        let faces = try analyzer.analyse(frame)
        #expect(faces.count == 6 && faces.allSatisfy { $0.detection.height < 40 }, "\(faces.map(\.detection))")
    }

    @Test func theCrowdDetectorFindsAFaceAgainNearItsLastBox() throws {
        let detector = try #require(Self.detector, "models missing: run `facescan models fetch`")
        let cam = try FaceAttributeTests.photo("camera.png")
        let small = TrackingTests.crop(cam, x: 0, y: 0, side: cam.width - 2, to: 105)
        let before = try #require(try detector.detectCrowd(TrackingTests.frame([(small, 230, 40)], timestamp: 0).image).first)
        // The face moved by half its size: found again there, only around its last box.
        let shift = (before.xmax - before.xmin) / 2
        let moved = TrackingTests.frame([(small, 230 + Int(shift), 40)], timestamp: 200).image
        let last = PixelRect(x: before.xmin, y: before.ymin, width: before.width, height: before.height)
        let again = try detector.detectCrowd(moved, around: last)
        #expect(again.count == 1 && abs(again[0].xmin - before.xmin - shift) < 3, "\(again) after \(before)")
        // Nothing around a box on the background, or outside the frame.
        #expect(try detector.detectCrowd(moved, around: PixelRect(x: 400, y: 250, width: 15, height: 15)).isEmpty)
        #expect(try detector.detectCrowd(moved, around: PixelRect(x: 900, y: -500, width: 15, height: 15)).isEmpty)
        // Boxes no frame holds (before, whole pixels were taken before clamping: a trap on 1e300).
        for box in [PixelRect(x: 1e300, y: -1e300, width: 1e300, height: 5), PixelRect(x: .nan, y: 0, width: 15, height: 15),
                    PixelRect(x: 0, y: 0, width: .infinity, height: 15), PixelRect(x: -1e18, y: -1e18, width: 4e18, height: 4e18)] {
            #expect(try detector.detectCrowd(moved, around: box).isEmpty, "\(box)")
        }
    }

    @Test func smallFaceInALargeFrameIsFoundOnce() throws {
        let detector = try #require(Self.detector, "models missing: run `facescan models fetch`")
        let messi = try Self.image(TestSupport.opencvData("messi5.jpg"))
        // The face (about 33 px) and its surroundings, pasted at 1.2x (face ≈ 40 px) into 1920x1080,
        // once well inside a tile and once straddling the first tiles' overlap.
        for (x, y) in [(900, 500), (262, 210)] {
            let frame = Self.paste(messi, crop: (196, 66, 90, 90), factor: 1.2, into: 1920, 1080, at: x, y)
            let faces = try detector.detect(frame)
            #expect(faces.count == 1, "at \(x),\(y): \(faces.count) faces")
            if let f = faces.first {
                #expect(f.xmin > Double(x) && f.xmax < Double(x) + 108 && f.ymin > Double(y) - 10 && f.ymax < Double(y) + 108)
            }
        }
        // The same frame with only the whole-frame pass misses it: the tiles are what find it.
        let wholeOnly = DetectionTiling(minFaceSize: 2000).regions(width: 1920, height: 1080)
        #expect(wholeOnly.count == 1)
    }

    @Test func tilingPlan() {
        let t = DetectionTiling(minFaceSize: 32)
        #expect(t.regions(width: 640, height: 360).count == 3)
        #expect(t.regions(width: 1280, height: 720).count == 13)
        #expect(t.regions(width: 1920, height: 1080).count == 31)
        #expect(t.regions(width: 300, height: 200).count == 1)
        // Video at 1080p plans for Rekognition's 40-px floor: 500-px tiles, 18 runs.
        #expect(DetectionTiling(minFaceSize: FaceDetector.videoMinFaceSize(width: 1920, height: 1080)).regions(width: 1920, height: 1080).count == 18)
        // Every face up to the overlap lies whole inside some tile of the smallest level.
        let regions = t.regions(width: 1920, height: 1080).filter { $0.rect.width == 400 }
        let side = 400 * DetectionTiling.overlapFraction
        for fx in stride(from: 0.0, to: 1920 - side, by: 37) {
            for fy in stride(from: 0.0, to: 1080 - side, by: 41) {
                let inside = regions.contains { r in
                    fx >= r.rect.x && fy >= r.rect.y && fx + side <= r.rect.x + r.rect.width && fy + side <= r.rect.y + r.rect.height
                }
                #expect(inside, "a \(side)-px face at \(fx),\(fy) is in no tile")
            }
        }
        // The whole frame comes last and has no inner edges.
        #expect(t.regions(width: 1920, height: 1080).last?.isWholeFrame == true)
    }

    @Test func anchorsMatchMediaPipe() {
        let full = BlazeFaceDecoder.fullRange.anchors
        #expect(full.count == 2304)
        #expect(full[0].x == 0.5 / 48 && full[0].y == 0.5 / 48)
        #expect(full[1].x == 1.5 / 48 && full[1].y == 0.5 / 48)
        let short = BlazeFaceDecoder.shortRange.anchors
        #expect(short.count == 896)
        #expect(short[0].x == short[1].x && short[1].x == 0.5 / 16)
        #expect(short[512].x == 0.5 / 8 && short[517].x == 0.5 / 8 && short[518].x == 1.5 / 8)
    }

    @Test func weightedNMSBlendsAndKeepsTheBestScore() {
        let a = Detection(xmin: 0, ymin: 0, xmax: 10, ymax: 10, keypoints: [(2, 2)], score: 0.9)
        let b = Detection(xmin: 1, ymin: 1, xmax: 11, ymax: 11, keypoints: [(3, 3)], score: 0.6)
        let c = Detection(xmin: 50, ymin: 50, xmax: 60, ymax: 60, keypoints: [(55, 55)], score: 0.7)
        let out = weightedNonMaxSuppression([b, c, a])
        #expect(out.count == 2)
        #expect(out[0].score == 0.9)
        #expect(abs(out[0].xmin - 0.4) < 1e-6 && abs(out[0].keypoints[0].x - 2.4) < 1e-6)
        #expect(out[1].xmin == 50)
        // A box inside a better one is dropped by the second pass.
        let inner = Detection(xmin: 2, ymin: 2, xmax: 7, ymax: 7, keypoints: [], score: 0.5)
        #expect(suppressOverlaps([a, inner, c]).count == 2)
    }

    @Test func letterboxMapsBack() {
        let image = RGBImage(width: 200, height: 100, red: 255, green: 255, blue: 255)
        var input = [Float](repeating: 0, count: 64 * 64 * 3)
        let box = input.withUnsafeMutableBufferPointer {
            Resample.letterbox(image, region: PixelRect(x: 0, y: 0, width: 200, height: 100), size: 64, scale: 2 / 255, offset: -1, into: $0.baseAddress!)
        }
        // 200x100 → 64x32 centred: rows 16..47 white (1), the rest black (-1).
        #expect(input[(0 * 64 + 10) * 3] == -1)
        #expect(abs(input[(20 * 64 + 10) * 3] - 1) < 1e-5)
        #expect(input[(50 * 64 + 10) * 3] == -1)
        let (x, y) = box.framePoint(0.5, 0.5)
        #expect(abs(x - 100) < 1e-9 && abs(y - 50) < 1e-9)
        let (x0, y0) = box.framePoint(0, 0.25)
        #expect(abs(x0) < 1e-9 && abs(y0) < 1e-9)
    }

    @Test func resamplingAveragesWhenShrinking() {
        // A 1-px checkerboard shrunk 4x averages to mid grey instead of aliasing to black or white.
        var img = RGBImage(width: 64, height: 64)
        for y in 0..<64 { for x in 0..<64 where (x + y) % 2 == 0 { for c in 0..<3 { img.pixels[(y * 64 + x) * 3 + c] = 255 } } }
        var input = [Float](repeating: 0, count: 16 * 16 * 3)
        input.withUnsafeMutableBufferPointer {
            _ = Resample.letterbox(img, region: PixelRect(x: 0, y: 0, width: 64, height: 64), size: 16, scale: 1, offset: 0, into: $0.baseAddress!)
        }
        for v in input { #expect(abs(v - 127.5) < 8) }
    }
}

/// `facescan detect` through the executable on the committed samples.
@Suite struct DetectCommandTests {
    static func detect(_ args: [String]) throws -> [String: Any] {
        let r = try TestSupport.facescan(["detect"] + args)
        #expect(r.status == 0, "\(r.stderr)")
        try TestSupport.shapeCheck("GetFaceDetection", r.stdout)
        return try parseJSON(r.stdout)
    }

    static func sample(_ name: String) -> String { TestSupport.repoRoot.appendingPathComponent("SampleVideos/\(name)").path }

    static func facesPerTimestamp(_ doc: [String: Any]) -> [Int: Int] {
        var counts: [Int: Int] = [:]
        for f in doc["Faces"] as? [[String: Any]] ?? [] { counts[f["Timestamp"] as! Int, default: 0] += 1 }
        return counts
    }

    @Test func oneFaceThroughTheZoom() throws {
        let doc = try Self.detect([Self.sample("face-zoom.mp4")])
        let counts = Self.facesPerTimestamp(doc)
        #expect(counts.count == 30, "a face in each of the 30 sampled frames")
        #expect(counts.values.allSatisfy { $0 == 1 })
        let faces = doc["Faces"] as! [[String: Any]]
        let heights = faces.map { (($0["Face"] as! [String: Any])["BoundingBox"] as! [String: Any])["Height"] as! Double }
        #expect(heights.first! < 0.2 && heights.last! > 0.5, "the face grows: \(heights.first!) → \(heights.last!)")
        let stamps = faces.map { $0["Timestamp"] as! Int }
        #expect(stamps == stamps.sorted())
    }

    @Test func severalFaces() throws {
        let counts = Self.facesPerTimestamp(try Self.detect([Self.sample("several-faces.mp4")]))
        #expect(counts.count == 20)
        #expect(counts.values.filter { $0 >= 3 }.count >= 18, "three faces in nearly every frame: \(counts)")
    }

    @Test func noFace() throws {
        let doc = try Self.detect([Self.sample("no-face.mp4")])
        #expect((doc["Faces"] as? [Any])?.isEmpty == true)
        #expect(doc["JobStatus"] as? String == "SUCCEEDED")
    }

    @Test func rotatedPhoneVideoIsAnalysedUpright() throws {
        let doc = try Self.detect([Self.sample("phone-rotated.mp4")])
        let meta = doc["VideoMetadata"] as! [String: Any]
        #expect(meta["FrameWidth"] as? Int == 360 && meta["FrameHeight"] as? Int == 640)
        let faces = doc["Faces"] as! [[String: Any]]
        #expect(Set(faces.map { $0["Timestamp"] as! Int }).count == 15)
        // The face is in the upper half of the upright frame, and its box is square in pixels of the
        // upright 360x640 frame (in the stored 640x360 frames the ratios would be the other way round).
        func confidence(_ f: [String: Any]) -> Double { (f["Face"] as! [String: Any])["Confidence"] as! Double }
        let best = faces.max { a, b in confidence(a) < confidence(b) }!
        let box = (best["Face"] as! [String: Any])["BoundingBox"] as! [String: Double]
        #expect(box["Top"]! < 0.4)
        #expect(abs(box["Height"]! * 640 - box["Width"]! * 360) < 0.25 * box["Width"]! * 360)
    }

    @Test func sampleRateAndRange() throws {
        let doc = try Self.detect(["--sample-rate", "1", "--start", "2", "--end", "4", Self.sample("face-zoom.mp4")])
        #expect(Self.facesPerTimestamp(doc).keys.sorted() == [2000, 3000, 4000])
        let all = try Self.detect(["--sample-rate", "all", "--end", "0.5", Self.sample("face-zoom.mp4")])
        #expect(Self.facesPerTimestamp(all).keys.sorted() == [0, 40, 80, 120, 160, 200, 240, 280, 320, 360, 400, 440, 480])
    }

    @Test func minConfidenceFilters() throws {
        let doc = try Self.detect(["--min-confidence", "99.9", Self.sample("several-faces.mp4")])
        #expect((doc["Faces"] as? [Any])?.isEmpty == true)
    }

    @Test func badOptionValues() throws {
        for args in [["--sample-rate", "0"], ["--sample-rate", "fast"], ["--min-confidence", "120"], ["--start", "-1"], ["--start", "3", "--end", "2"]] {
            let r = try TestSupport.facescan(["detect"] + args + [Self.sample("no-face.mp4")])
            #expect(r.status == 2 && r.stdout.isEmpty && r.stderr.contains("InvalidParameterException"), "\(args): \(r.stderr)")
        }
    }
}
