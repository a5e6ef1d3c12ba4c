import Foundation
import Testing
@testable import FaceScan

/// fer's emotion model: parity with LiteRT (goldens by scripts/make_emotion_goldens.py), malformed
/// quantization parameters as clean errors, and Emotions through the built executable.
@Suite struct EmotionModelTests {
    static let goldens = NeuralNetTestSupport.goldensDirectory.appendingPathComponent("emotion")
    static var modelURL: URL { NeuralNetTestSupport.model(ModelFile.emotion.name) }

    /// LiteRT's hybrid kernels quantize each int8-weighted convolution's input to int8 on the fly;
    /// facescan keeps activations in float. Measured on the random input: facescan 4.9e-3 from LiteRT's
    /// XNNPACK kernels (the golden), while LiteRT's own reference kernels are 6.2e-3 from them and a float64
    /// NumPy evaluation with the same dequantized weights 4.9e-3; on the face, 8e-6. The bound is 1e-2.
    static let tolerance: Float = 1e-2

    @Test(arguments: ["random", "astronaut"])
    func probabilitiesMatchLiteRT(_ input: String) throws {
        try #require(FileManager.default.fileExists(atPath: Self.modelURL.path), "model \(Self.modelURL.path) is missing")
        let x = try NeuralNetTestSupport.readFloats(Self.goldens.appendingPathComponent("\(input).input.bin"))
        let golden = try NeuralNetTestSupport.readFloats(Self.goldens.appendingPathComponent("\(input).output.bin"))
        for threads in [1, 2] {
            let net = try NeuralNetwork(contentsOf: Self.modelURL, threads: threads)
            #expect(net.inputShape == [1, 64, 64, 1] && net.outputShapes == [[1, 7]])
            let outputs = try x.withUnsafeBufferPointer { try net.run($0) }
            let err = NeuralNetTestSupport.maxAbsDifference(outputs[0], golden)
            let out = Array(outputs[0])
            print("parity emotion \(input) threads=\(threads): max|Δp| = \(err)")
            #expect(err <= Self.tolerance, "max |Δp| \(err): \(out) vs \(golden)")
            #expect(abs(out.reduce(0, +) - 1) < 1e-5, "probabilities sum to 1")
            #expect(out.firstIndex(of: out.max()!) == golden.firstIndex(of: golden.max()!), "the same expression wins")
        }
    }

    /// A quantized weight tensor of the model, found with the reader.
    static func quantization(_ bytes: [UInt8], tensor: Int) throws -> FlatTable {
        let (_, sg) = try NeuralNetMalformedModelTests.locate(bytes)
        let tensors = try #require(try sg.vector(TFLiteSchema.SubGraph.tensors, elementSize: 4, "tensors"))
        return try #require(try tensors.table(tensor).table(TFLiteSchema.Tensor.quantization, "quantization"))
    }

    @Test func malformedQuantizationIsAnError() throws {
        try #require(FileManager.default.fileExists(atPath: Self.modelURL.path), "model \(Self.modelURL.path) is missing")
        let original = [UInt8](try Data(contentsOf: Self.modelURL))
        #expect(NeuralNetMalformedModelTests.loadError(original) == nil)
        // Tensor 36: the head convolution's int8 weights, 7 per-channel scales along dimension 0.
        let q = try Self.quantization(original, tensor: 36)
        let scales = try #require(try q.vector(TFLiteSchema.Quantization.scale, elementSize: 4, "scale"))
        #expect(scales.count == 7)
        for bad: Float in [0, -0.5, .nan, .infinity] {
            var bytes = original
            NeuralNetMalformedModelTests.put32(&bytes, scales.start + 4, bad.bitPattern)
            let message = try #require(NeuralNetMalformedModelTests.loadError(bytes), "scale \(bad) must be refused")
            #expect(message.contains("scale") && message.contains("positive finite"), "\(message)")
        }
        if let zeros = try q.vector(TFLiteSchema.Quantization.zeroPoint, elementSize: 8, "zero_point"), zeros.count > 0 {
            var bytes = original
            NeuralNetMalformedModelTests.put32(&bytes, zeros.start, 200)
            #expect(try #require(NeuralNetMalformedModelTests.loadError(bytes)).contains("zero point outside"))
        }
        // Tensor 38: depthwise weights [1, 3, 3, 128], 128 scales along dimension 3; dimension 1 has 3.
        let dq = try Self.quantization(original, tensor: 38)
        let p = try #require(try dq.fieldPosition(TFLiteSchema.Quantization.quantizedDimension, width: 4))
        for dim: UInt32 in [1, 7, 0xFFFF_FFFF] {
            var bytes = original
            NeuralNetMalformedModelTests.put32(&bytes, p, dim)
            let message = try #require(NeuralNetMalformedModelTests.loadError(bytes), "dimension \(dim) must be refused")
            #expect(message.contains("scales along dimension"), "\(message)")
        }
        // The weights' buffer one byte short of the shape.
        var bytes = original
        let (model, sg) = try NeuralNetMalformedModelTests.locate(bytes)
        let tensors = try #require(try sg.vector(TFLiteSchema.SubGraph.tensors, elementSize: 4, "tensors"))
        let buffer = Int(try tensors.table(36).u32(TFLiteSchema.Tensor.buffer))
        let data = try #require(try model.vector(TFLiteSchema.Model.buffers, elementSize: 4, "buffers")?.table(buffer)
            .vector(TFLiteSchema.Buffer.data, elementSize: 1, "data"))
        NeuralNetMalformedModelTests.put32(&bytes, data.start - 4, UInt32(data.count - 1))
        #expect(try #require(NeuralNetMalformedModelTests.loadError(bytes)).contains("bytes of data"))
    }

    /// Emotions through the executable: only with ALL (and DetectFaces' EMOTIONS), never in a search.
    @Test func emotionsUnderAllOnly() throws {
        let astronaut = SearchFixtures.photos.appendingPathComponent("astronaut.png").path
        let r = try TestSupport.facescan(["detect", "--face-attributes", "ALL", astronaut])
        #expect(r.status == 0, "\(r.stderr)")
        try TestSupport.shapeCheck("GetFaceDetection", r.stdout)
        let face = try #require(((try parseJSON(r.stdout)["Faces"] as? [[String: Any]])?.first)?["Face"] as? [String: Any])
        let emotions = try #require(face["Emotions"] as? [[String: Any]])
        #expect(emotions.map { $0["Type"] as? String ?? "" }.sorted() == ["ANGRY", "CALM", "DISGUSTED", "FEAR", "HAPPY", "SAD", "SURPRISED"])
        let confidences = emotions.map { $0["Confidence"] as? Double ?? -1 }
        #expect(confidences == confidences.sorted(by: >), "most likely first")
        #expect(abs(confidences.reduce(0, +) - 100) < 0.01)
        #expect(emotions[0]["Type"] as? String == "HAPPY" && confidences[0] > 90, "Eileen Collins smiles: \(emotions)")
        // The cameraman does not smile.
        let camera = try TestSupport.facescan(["detect", "--face-attributes", "ALL", SearchFixtures.photos.appendingPathComponent("camera.png").path])
        let top = (((try parseJSON(camera.stdout)["Faces"] as? [[String: Any]])?.first?["Face"] as? [String: Any])?["Emotions"] as? [[String: Any]])?.first
        #expect(top != nil && top?["Type"] as? String != "HAPPY", "\(String(describing: top))")
        // DEFAULT has none; DetectFaces with Attributes EMOTIONS has them and nothing else of ALL.
        let plain = try parseJSON(try TestSupport.facescan(["detect", astronaut]).stdout)
        #expect(((plain["Faces"] as? [[String: Any]])?.first?["Face"] as? [String: Any])?["Emotions"] == nil)
        #expect(try DetectionAttributes(["EMOTIONS"]).analysed == .all, "EMOTIONS runs the ALL analysis")
        var trimmed = FaceDetail(boundingBox: BoundingBox(width: 1, height: 1, left: 0, top: 0), confidence: 99)
        trimmed.emotions = [Emotion(type: "HAPPY", confidence: 99)]
        trimmed.eyesOpen = BooleanAttribute(value: true, confidence: 90)
        let kept = try DetectionAttributes(["EMOTIONS"]).trimmed(trimmed)
        #expect(kept.emotions != nil && kept.eyesOpen == nil, "EMOTIONS keeps Emotions, not the other ALL members")
        // A search reports DEFAULT attributes only.
        let search = try TestSupport.facescan(["search", "--collection", SearchFixtures.collection.path, "--sample-rate", "1", SearchFixtures.revisitVideo])
        #expect(search.status == 0 && !search.stdout.contains("Emotions"), "\(search.stderr)")
    }
}
