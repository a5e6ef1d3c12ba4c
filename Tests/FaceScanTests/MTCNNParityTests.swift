import Foundation
import Testing
@testable import FaceScan

/// facescan's MTCNN against the reference runtime, PyTorch with facenet-pytorch 2.6.0, on the goldens
/// `scripts/make_mtcnn_goldens.py` wrote into Goldens/mtcnn: each network alone on a synthetic input,
/// then the whole cascade on package-shipped photos (the same decoded pixels, checked by hash).
@Suite("MTCNN parity with facenet-pytorch", .serialized)
struct MTCNNParityTests {
    struct Network: Decodable {
        let height: Int
        let width: Int
        let probability: [Float]
        let regression: [Float]
        let landmarks: [Float]?
    }

    struct Face: Decodable {
        let box: [Float]
        let probability: Float
        let landmarks: [[Float]]
    }

    struct Photo: Decodable, CustomTestStringConvertible, Sendable {
        let name: String
        let width: Int
        let height: Int
        let image_sha256: String
        let faces: [Face]
        var testDescription: String { name }
    }

    struct Index: Decodable {
        let networks: [String: Network]
        let photos: [Photo]
    }

    static let index: Index? = {
        let url = NeuralNetTestSupport.goldensDirectory.appendingPathComponent("mtcnn/mtcnn_goldens.json")
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(Index.self, from: data)
    }()

    static var photos: [Photo] { index?.photos ?? [] }

    nonisolated(unsafe) static let detector: MTCNNDetector? = try? MTCNNDetector(store: ModelStore(), threads: 2)

    static func checkpoint(_ m: ModelFile) throws -> TorchCheckpoint {
        let store = ModelStore()
        return try TorchCheckpoint(bytes: [UInt8](try store.load(m)), file: m.name)
    }

    /// The golden's synthetic input in NHWC: element (c, y, x) is 0.9·sin(0.37y + 0.91x + 1.3c).
    static func synthetic(height: Int, width: Int) -> [Float] {
        var x = [Float](repeating: 0, count: height * width * 3)
        for y in 0..<height { for xx in 0..<width { for c in 0..<3 {
            x[(y * width + xx) * 3 + c] = Float(0.9 * sin(0.37 * Double(y) + 0.91 * Double(xx) + 1.3 * Double(c)))
        } } }
        return x
    }

    static func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    @Test func goldensPresent() {
        #expect(Self.index?.networks.count == 3, "Goldens/mtcnn/mtcnn_goldens.json is missing: run scripts/make_mtcnn_goldens.py")
        #expect(Self.photos.count == 3)
    }

    @Test("each network's outputs equal PyTorch's within 1e-4", arguments: ["pnet", "rnet", "onet"])
    func network(_ name: String) throws {
        let golden = try #require(Self.index?.networks[name])
        let stage = try #require(MTCNNGraphBuilder.Stage(rawValue: name))
        let model: ModelFile = name == "pnet" ? .mtcnnProposal : name == "rnet" ? .mtcnnRefine : .mtcnnOutput
        let net = try NeuralNetwork(mtcnn: stage, checkpoint: try Self.checkpoint(model), name: name,
                                    height: golden.height, width: golden.width)
        let out = try net.run(Self.synthetic(height: golden.height, width: golden.width))
        // Probabilities: the face column of the softmax.
        let probability = stride(from: 1, to: out[0].count, by: 2).map { out[0][$0] }
        #expect(probability.count == golden.probability.count)
        #expect(out[1].count == golden.regression.count)
        #expect(Self.maxDifference(probability, golden.probability) < 1e-4)
        #expect(Self.maxDifference(out[1], golden.regression) < 1e-4)
        if let marks = golden.landmarks {
            #expect(out[2].count == marks.count)
            #expect(Self.maxDifference(out[2], marks) < 1e-4)
        }
    }

    /// The "small" canvas of the goldens: astronaut.png subsampled by 4, 6 and 8, pasted on grey.
    static func smallCanvas() throws -> RGBImage {
        let astro = try FaceAttributeTests.photo("astronaut.png")
        var canvas = RGBImage(width: 320, height: 240, red: 128, green: 128, blue: 128)
        for (k, x0, y0) in [(4, 10, 60), (6, 150, 20), (8, 240, 150)] {
            for y in stride(from: 0, to: astro.height, by: k) {
                for x in stride(from: 0, to: astro.width, by: k) {
                    let s = (y * astro.width + x) * 3, d = ((y0 + y / k) * 320 + x0 + x / k) * 3
                    for c in 0..<3 { canvas.pixels[d + c] = astro.pixels[s + c] }
                }
            }
        }
        return canvas
    }

    static func image(_ p: Photo) throws -> RGBImage {
        let image = p.name == "small" ? try smallCanvas() : try FaceAttributeTests.photo(p.name == "messi5" ? "messi5.jpg" : p.name + ".png")
        let hash = Digest.sha256(image.pixels).map { String(format: "%02x", $0) }.joined()
        try #require(hash == p.image_sha256, "\(p.name) decodes to other pixels than the goldens were made from")
        return image
    }

    /// The pyramid's and the crops' resizing is PyTorch's `interpolate(mode="area")`: output pixel i of n
    /// averages input pixels floor(i·m/n) ..< ceil((i+1)·m/n) in each direction. Checked against that
    /// definition, window by window, shrinking and enlarging, on a region inside a larger image.
    @Test(arguments: [(97, 61, 23, 17), (5, 7, 24, 24), (40, 40, 40, 40), (301, 155, 91, 47), (13, 200, 48, 48)])
    func areaResizingAveragesEachWindow(width: Int, height: Int, outWidth: Int, outHeight: Int) {
        var state = UInt32(width * 1000 + outWidth)  // xorshift32: the same pixels every run
        let image = RGBImage(width: width + 9, height: height + 4, pixels: (0..<(width + 9) * (height + 4) * 3).map { _ in
            state ^= state << 13; state ^= state >> 17; state ^= state << 5
            return UInt8(state >> 24)
        })
        var out = [Float](repeating: .nan, count: outWidth * outHeight * 3)
        out.withUnsafeMutableBufferPointer {
            AreaResample.resize(image, x0: 5, y0: 3, width: width, height: height, outWidth: outWidth, outHeight: outHeight,
                                offset: -127.5, scale: 0.0078125, into: $0.baseAddress!)
        }
        var worst = 0.0
        for oy in 0..<outHeight {
            for ox in 0..<outWidth {
                let ys = (oy * height / outHeight)..<(((oy + 1) * height + outHeight - 1) / outHeight)
                let xs = (ox * width / outWidth)..<(((ox + 1) * width + outWidth - 1) / outWidth)
                for c in 0..<3 {
                    var sum = 0.0
                    for y in ys { for x in xs { sum += Double(image.pixels[((3 + y) * image.width + 5 + x) * 3 + c]) } }
                    let expected = (sum / Double(ys.count * xs.count) - 127.5) * 0.0078125
                    worst = max(worst, abs(Double(out[(oy * outWidth + ox) * 3 + c]) - expected))
                }
            }
        }
        #expect(worst < 1e-6, "largest difference \(worst)")
    }

    /// facenet-pytorch's pyramid up to 1080p; above 2.8 MP the first level is held at 1 MP.
    @Test func thePyramidsLevels() throws {
        let detector = try #require(Self.detector, "MTCNN models missing: run `facescan models fetch`")
        let hd = detector.scales(width: 1920, height: 1080)
        #expect(abs(hd[0] - 0.6) < 1e-12 && hd.count == 12 && abs(hd[1] - 0.6 * 0.709) < 1e-12)
        #expect(detector.scales(width: 8, height: 2000).isEmpty)
        let uhd = try #require(detector.scales(width: 3840, height: 2160).first)
        #expect(abs(3840 * 2160 * uhd * uhd - 1_000_000) < 1)
        // Video's floor (Rekognition's 40 px at 1080p): the pyramid starts at 12/40, with the same step.
        let floor = FaceDetector.videoMinFaceSize(width: 1920, height: 1080)
        #expect(abs(floor - 40) < 1e-9 && abs(FaceDetector.videoMinFaceSize(width: 3840, height: 2160) - 80) < 1e-9)
        let video = detector.scales(width: 1920, height: 1080, minFaceSize: floor)
        #expect(abs(video[0] - 0.3) < 1e-12 && video.count == 10 && abs(video[1] - 0.3 * 0.709) < 1e-12)
        // Below the detector's own floor it changes nothing (640×360: 13 px).
        #expect(detector.scales(width: 640, height: 360, minFaceSize: FaceDetector.videoMinFaceSize(width: 640, height: 360)) == detector.scales(width: 640, height: 360))
    }

    @Test("the cascade finds facenet-pytorch's faces: boxes and landmarks within 0.5 px", arguments: photos)
    func cascade(_ p: Photo) throws {
        let detector = try #require(Self.detector, "MTCNN models missing: run `facescan models fetch`")
        let faces = try detector.detect(try Self.image(p))
        try #require(faces.count == p.faces.count, "\(faces.count) faces, facenet-pytorch finds \(p.faces.count)")
        for (f, g) in zip(faces, p.faces) {
            #expect(Self.maxDifference([f.x1, f.y1, f.x2, f.y2], g.box) < 0.5, "box \([f.x1, f.y1, f.x2, f.y2]) vs \(g.box)")
            #expect(abs(f.probability - g.probability) < 1e-3)
            #expect(Self.maxDifference(f.landmarks.flatMap { [$0.x, $0.y] }, g.landmarks.flatMap { $0 }) < 0.5)
        }
    }
}

/// The checkpoint and pickle readers on malformed, truncated and hostile files: always a `ModelError`
/// with a message, never a crash.
@Suite("PyTorch checkpoint reader: malformed input")
struct TorchCheckpointMalformedTests {
    static func original() throws -> [UInt8] {
        [UInt8](try ModelStore().load(.mtcnnProposal))
    }

    static func rejects(_ bytes: [UInt8]) -> String? {
        do { _ = try TorchCheckpoint(bytes: bytes, file: "test.pt"); return nil } catch let e as ModelError {
            return e.message
        } catch { return "\(error)" }
    }

    @Test func readsTheRealFile() throws {
        let c = try TorchCheckpoint(bytes: try Self.original(), file: "pnet.pt")
        #expect(c.names == ["conv1.weight", "conv1.bias", "prelu1.weight", "conv2.weight", "conv2.bias", "prelu2.weight",
                            "conv3.weight", "conv3.bias", "prelu3.weight", "conv4_1.weight", "conv4_1.bias",
                            "conv4_2.weight", "conv4_2.bias"])
        #expect(c.tensors["conv1.weight"]?.shape == [10, 3, 3, 3])
    }

    @Test func everyTruncationIsAnError() throws {
        let bytes = try Self.original()
        for n in stride(from: 0, to: bytes.count, by: 7) {
            #expect(Self.rejects(Array(bytes[..<n])) != nil, "a file cut at \(n) bytes was accepted")
        }
    }

    @Test func corruptedBytesNeverCrash() throws {
        let bytes = try Self.original()
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            var b = bytes
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                b[Int.random(in: 0..<2000, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            _ = Self.rejects(b)
        }
    }

    @Test func hostilePicklesAreRefused() {
        let magic: [UInt8] = [0x80, 0x02, 0x8A, 0x0A] + TorchCheckpoint.magic + [0x2E]
        let cases: [([UInt8], String)] = [
            ([0x50, 0x4B, 0x03, 0x04, 0, 0], "zip checkpoint"),
            ([0x80, 0x02, 0x4B, 0x01, 0x2E], "magic number"),
            (magic + [0x80, 0x02, 0x68, 0x05, 0x2E], "memo entry 5"),
            (magic + [0x80, 0x02, 0x58, 0xFF, 0xFF, 0xFF, 0x7F, 0x41], "BINUNICODE needs"),
            (magic + [0x80, 0x02, 0x93, 0x2E], "opcode 0x93"),
            (magic + [0x80, 0x05, 0x2E], "protocol 5"),
            (magic + [0x80, 0x02, 0x52, 0x2E], "empty stack"),
            (magic + [0x80, 0x02, 0x28, 0x28, 0x4B, 0x01, 0x2E], "STOP with"),
            (magic + [0x80, 0x02, 0x75, 0x2E], "without a MARK"),
            (magic + [0x80, 0x02, 0x63] + Array("os\nsystem\n".utf8) + [0x58, 0x02, 0, 0, 0] + Array("ls".utf8) + [0x85, 0x52, 0x2E],
             "protocol version"),
        ]
        for (bytes, expected) in cases {
            let message = Self.rejects(bytes)
            #expect(message?.contains(expected) == true, "\(expected): \(message ?? "accepted")")
        }
    }

    @Test func aTensorOutsideItsStorageIsRefused() throws {
        // Make conv1.bias's view claim 1000 elements of its 10-float storage: BININT1 10 after its offset.
        var bytes = try Self.original()
        let key = Array("conv1.bias".utf8)
        let at = try #require((0..<bytes.count - key.count).first { Array(bytes[$0..<$0 + key.count]) == key })
        // ... K 0x00 (offset) K 0x0A (size 10) 0x85 (TUPLE1): the size is the first BININT1 10 after the
        // storage's persistent id (Q).
        let q = try #require((at..<bytes.count).first { bytes[$0] == 0x51 })
        let size = try #require((q..<bytes.count - 2).first { bytes[$0] == 0x4B && bytes[$0 + 1] == 0x0A && bytes[$0 + 2] == 0x85 })
        bytes[size] = 0x4D; bytes[size + 1] = 0xE8; bytes.insert(0x03, at: size + 2)  // BININT2 1000
        let message = try #require(Self.rejects(bytes))
        #expect(message.contains("conv1.bias") && message.contains("past its storage"), "\(message)")
    }

    @Test func theWrongNetworkIsRefusedByShape() throws {
        let rnet = try TorchCheckpoint(bytes: [UInt8](try ModelStore().load(.mtcnnRefine)), file: "rnet.pt")
        #expect(throws: ModelError.self) {
            _ = try NeuralNetwork(mtcnn: .proposal, checkpoint: rnet, name: "rnet.pt", height: 20, width: 20)
        }
        let pnet = try TorchCheckpoint(bytes: try Self.original(), file: "pnet.pt")
        #expect(throws: ModelError.self) {
            _ = try NeuralNetwork(mtcnn: .proposal, checkpoint: pnet, name: "pnet.pt", height: 8, width: 8)
        }
    }
}
