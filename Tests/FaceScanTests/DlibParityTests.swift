import Foundation
import Testing
@testable import FaceScan

/// facescan's face descriptor against dlib's own (dlib-bin 20.0.1) on the goldens that
/// `scripts/make_dlib_goldens.py` wrote into Goldens/dlib: the same 5 landmarks (±1 px), the same
/// aligned chip (within rounding), the same 128-D descriptor (within 1e-3 Euclidean) — each stage also
/// checked on dlib's own input to the stage, so that a failure points at the stage that differs.
///
/// Serialized: the tests share one `FaceDescriptorExtractor`, which is not thread-safe.
@Suite("dlib parity: landmarks, chips, descriptors", .serialized)
struct DlibParityTests {
    struct Photo: Decodable, CustomTestStringConvertible, Sendable {
        let name: String
        let photo: String
        let enlarge: Int
        let image_sha256: String
        let width: Int
        let height: Int
        let rectangle: [Int]
        let points: [[Int]]
        let chip_rect: [Double]
        let chip_angle: Double
        let chip: String
        let descriptor: String

        var testDescription: String { name }
        var dlibRectangle: DlibRectangle {
            DlibRectangle(left: rectangle[0], top: rectangle[1], right: rectangle[2], bottom: rectangle[3])
        }
        var landmarks: [(x: Double, y: Double)] { points.map { (Double($0[0]), Double($0[1])) } }
    }

    struct Index: Decodable {
        struct Synthetic: Decodable { let seed: UInt32; let descriptor: String }
        let synthetic: Synthetic
        let photos: [Photo]
    }

    static let directory = NeuralNetTestSupport.goldensDirectory.appendingPathComponent("dlib")

    static let index: Index? = {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("dlib_goldens.json")) else { return nil }
        return try? JSONDecoder().decode(Index.self, from: data)
    }()

    static var photos: [Photo] { index?.photos ?? [] }

    nonisolated(unsafe) static let extractor: FaceDescriptorExtractor? = try? FaceDescriptorExtractor(store: ModelStore())

    static func requireExtractor() throws -> FaceDescriptorExtractor {
        try #require(extractor, "dlib models missing or unreadable: run `facescan models fetch`")
    }

    /// The photo decoded by facescan (enlarged by pixel replication when the golden was), checked to be
    /// the very pixels dlib was given.
    static func image(_ p: Photo) throws -> RGBImage {
        let image = try FaceAttributeTests.photo(p.photo)
        let hash = Digest.sha256(image.pixels).map { String(format: "%02x", $0) }.joined()
        try #require(hash == p.image_sha256, "\(p.photo) decodes to other pixels than the goldens were made from")
        guard p.enlarge > 1 else { return image }
        let k = p.enlarge, w = image.width * k, h = image.height * k
        var px = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h {
            for x in 0..<w {
                let s = ((y / k) * image.width + x / k) * 3, d = (y * w + x) * 3
                px[d] = image.pixels[s]; px[d + 1] = image.pixels[s + 1]; px[d + 2] = image.pixels[s + 2]
            }
        }
        return RGBImage(width: w, height: h, pixels: px)
    }

    static func goldenDescriptor(_ file: String) throws -> [Float] {
        let v = try NeuralNetTestSupport.readFloats(directory.appendingPathComponent(file))
        try #require(v.count == 128)
        return v
    }

    static func goldenChip(_ file: String) throws -> RGBImage {
        let bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent(file)))
        try #require(bytes.count == 150 * 150 * 3)
        return RGBImage(width: 150, height: 150, pixels: bytes)
    }

    /// Max and mean absolute difference of two images' bytes.
    static func difference(_ a: RGBImage, _ b: RGBImage) -> (max: Int, mean: Double) {
        var m = 0, s = 0
        for i in a.pixels.indices {
            let d = abs(Int(a.pixels[i]) - Int(b.pixels[i]))
            m = max(m, d)
            s += d
        }
        return (m, Double(s) / Double(a.pixels.count))
    }

    @Test("the goldens are present")
    func goldensPresent() {
        #expect(Self.photos.count == 4, "Goldens/dlib/dlib_goldens.json is missing or unreadable: run scripts/make_dlib_goldens.py")
    }

    @Test("5 landmarks equal dlib's (±1 px) on dlib's rectangle", arguments: photos)
    func landmarks(_ p: Photo) throws {
        let ex = try Self.requireExtractor()
        let ours = ex.landmarks(in: try Self.image(p), rectangle: p.dlibRectangle)
        try #require(ours.count == 5)
        let worst = zip(ours, p.landmarks).map { max(abs($0.0.x - $0.1.x), abs($0.0.y - $0.1.y)) }.max()!
        #expect(worst <= 1, "\(p.name): ours \(ours), dlib \(p.points)")
        print("dlib parity \(p.name): landmarks max |Δ| \(worst) px")
    }

    @Test("chip details equal dlib's get_face_chip_details", arguments: photos)
    func chipDetails(_ p: Photo) {
        let d = FaceDescriptorExtractor.chipDetails(landmarks: p.landmarks)
        let ours = [d.left, d.top, d.right, d.bottom]
        for i in 0..<4 { #expect(abs(ours[i] - p.chip_rect[i]) < 1e-3, "\(p.name): rect \(ours) vs \(p.chip_rect)") }
        #expect(abs(d.angle - p.chip_angle) < 1e-9, "\(p.name): angle \(d.angle) vs \(p.chip_angle)")
    }

    @Test("chip from dlib's landmarks equals dlib's within rounding", arguments: photos)
    func chip(_ p: Photo) throws {
        let ex = try Self.requireExtractor()
        let ours = ex.chip(from: try Self.image(p), landmarks: p.landmarks)
        let (m, mean) = Self.difference(ours, try Self.goldenChip(p.chip))
        #expect(m <= 2 && mean <= 0.5, "\(p.name): chip max |Δ| \(m), mean \(mean)")
        print("dlib parity \(p.name): chip max |Δ| \(m) levels, mean \(String(format: "%.4f", mean))")
    }

    @Test("descriptor of dlib's chip within 1e-3 of dlib's", arguments: photos)
    func descriptorOfDlibChip(_ p: Photo) throws {
        let ex = try Self.requireExtractor()
        let ours = try ex.descriptor(chip: try Self.goldenChip(p.chip))
        let d = FaceDescriptor.distance(ours, try Self.goldenDescriptor(p.descriptor))
        #expect(d <= 1e-3, "\(p.name): distance \(d)")
        print("dlib parity \(p.name): descriptor of dlib's chip at distance \(d)")
    }

    @Test("whole pipeline (rectangle → landmarks → chip → descriptor) within 1e-3 of dlib's", arguments: photos)
    func pipeline(_ p: Photo) throws {
        let ex = try Self.requireExtractor()
        let image = try Self.image(p)
        let desc = try ex.descriptor(for: image, rectangle: p.dlibRectangle)
        let d = FaceDescriptor.distance(desc.values, try Self.goldenDescriptor(p.descriptor))
        #expect(d <= 1e-3, "\(p.name): distance \(d)")
        let (m, mean) = Self.difference(ex.chip(from: image, landmarks: desc.landmarks), try Self.goldenChip(p.chip))
        #expect(m <= 2 && mean <= 0.5, "\(p.name): chip from our landmarks: max |Δ| \(m), mean \(mean)")
        print("dlib parity \(p.name): pipeline descriptor at distance \(d)")
    }

    @Test("network alone: a seeded random chip")
    func syntheticChip() throws {
        let ex = try Self.requireExtractor()
        let s = try #require(Self.index?.synthetic)
        var x = s.seed
        let bytes = (0..<(150 * 150 * 3)).map { _ -> UInt8 in
            x ^= x << 13
            x ^= x >> 17
            x ^= x << 5
            return UInt8(x >> 24)
        }
        let ours = try ex.descriptor(chip: RGBImage(width: 150, height: 150, pixels: bytes))
        let d = FaceDescriptor.distance(ours, try Self.goldenDescriptor(s.descriptor))
        #expect(d <= 1e-3, "synthetic chip: distance \(d)")
        print("dlib parity synthetic chip: descriptor at distance \(d)")
    }

    @Test("a BlazeFace detection gives a descriptor near dlib's from its own detector's box",
          arguments: photos.filter { $0.enlarge == 1 && $0.name != "camera" })
    func fromDetection(_ p: Photo) throws {
        let ex = try Self.requireExtractor()
        let image = try Self.image(p)
        let detector = try FaceDetector(store: ModelStore())
        let detection = try #require(try detector.detect(image).first, "BlazeFace finds no face in \(p.name)")
        let desc = try ex.descriptor(for: image, detection: detection)
        let d = FaceDescriptor.distance(desc.values, try Self.goldenDescriptor(p.descriptor))
        #expect(d < 0.15, "\(p.name): descriptor from BlazeFace's box at \(d) from dlib's (HOG box \(p.rectangle), ours \(desc.rectangle))")
        print("dlib parity \(p.name): descriptor from the BlazeFace detection at distance \(d) (rectangle \(desc.rectangle) vs HOG \(p.rectangle))")
    }

    @Test("the shape predictor's square from a BlazeFace box")
    func rectangleFromDetection() {
        let d = Detection(xmin: 100, ymin: 50, xmax: 200, ymax: 160, keypoints: [], score: 0.9)
        // side 0.939 · 105 = 98.6; centre (150 + 0.016·98.6, 105 + 0.021·98.6) = (151.58, 107.07).
        let r = FaceDescriptorExtractor.shapePredictorRectangle(for: d)
        #expect(r == DlibRectangle(left: 102, top: 58, right: 200, bottom: 156), "\(r)")
        #expect(r.width == 99 && r.height == 99)
    }

    @Test("a chip of the wrong size is an InvalidParameterException")
    func wrongChipSize() throws {
        let ex = try Self.requireExtractor()
        #expect(throws: APIError.self) { try ex.descriptor(chip: RGBImage(width: 100, height: 150)) }
    }
}
