import Foundation
import Testing
@testable import FaceScan

/// Malformed, truncated and hostile model files: loading must throw a `ModelError` whose message says
/// what is wrong — never crash, never read out of bounds.
@Suite("NeuralNet malformed models")
struct NeuralNetMalformedModelTests {
    static let modelName = "face_detection_short_range.tflite"

    static func original() throws -> [UInt8] {
        let url = NeuralNetTestSupport.model(modelName)
        try #require(FileManager.default.fileExists(atPath: url.path), "model \(url.path) is missing")
        return [UInt8](try Data(contentsOf: url))
    }

    /// Loads `bytes` and returns the error message (nil if it loaded).
    static func loadError(_ bytes: [UInt8]) -> String? {
        do {
            _ = try NeuralNetwork(tfliteBytes: bytes, name: "test.tflite")
            return nil
        } catch let e as ModelError {
            #expect(e.file == "test.tflite")
            return e.message
        } catch {
            Issue.record("unexpected error type \(type(of: error)): \(error)")
            return "\(error)"
        }
    }

    static func put32(_ bytes: inout [UInt8], _ at: Int, _ value: UInt32) {
        for i in 0..<4 { bytes[at + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
    }

    /// Position of structures of the model, found with the reader itself.
    static func locate(_ bytes: [UInt8]) throws -> (model: FlatTable, subgraph: FlatTable) {
        let r = FlatBufferReader(bytes: bytes, file: "t")
        let model = try r.root(identifier: "TFL3")
        let sg = try model.vector(TFLiteSchema.Model.subgraphs, elementSize: 4, "subgraphs")!.table(0)
        return (model, sg)
    }

    @Test("the unmodified model loads")
    func original() throws {
        #expect(Self.loadError(try Self.original()) == nil)
    }

    @Test("truncated files", arguments: [0, 3, 7, 8, 16, 100, 1000, 50_000, 114_516, 229_000, 229_031])
    func truncated(_ length: Int) throws {
        let bytes = Array(try Self.original().prefix(length))
        let message = try #require(Self.loadError(bytes))
        #expect(message.contains("past the end") || message.contains("too short") || message.contains("outside"),
                "truncated at \(length): \(message)")
    }

    @Test("wrong file identifier")
    func identifier() throws {
        var bytes = try Self.original()
        bytes.replaceSubrange(4..<8, with: Array("TFL2".utf8))
        let message = try #require(Self.loadError(bytes))
        #expect(message.contains("identifier") && message.contains("TFL2"), "\(message)")
        #expect(Self.loadError(Array("not a model at all".utf8))?.contains("identifier") == true)
    }

    @Test("root offset and vtable offset pointing outside the file")
    func offsets() throws {
        var bytes = try Self.original()
        Self.put32(&bytes, 0, 0x7FFF_FFF0)
        #expect(try #require(Self.loadError(bytes)).contains("past the end"))
        bytes = try Self.original()
        let root = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24
        Self.put32(&bytes, root, 0x8000_0000)  // soffset to the vtable
        #expect(try #require(Self.loadError(bytes)).contains("vtable"))
    }

    @Test("a vector length made huge")
    func hugeVector() throws {
        var bytes = try Self.original()
        let (_, sg) = try Self.locate(bytes)
        let tensors = try #require(try sg.vector(TFLiteSchema.SubGraph.tensors, elementSize: 4, "tensors"))
        Self.put32(&bytes, tensors.start - 4, 0xFFFF_FFF0)
        let message = try #require(Self.loadError(bytes))
        #expect(message.contains("tensors") && message.contains("past the end"), "\(message)")
    }

    @Test("an operator code changed to an unsupported operator is named")
    func unsupportedOperator() throws {
        var bytes = try Self.original()
        let (model, _) = try Self.locate(bytes)
        let codes = try #require(try model.vector(TFLiteSchema.Model.operatorCodes, elementSize: 4, "operator_codes"))
        for i in 0..<codes.count {  // every code becomes LEAKY_RELU (98)
            let t = try codes.table(i)
            if let p = try t.fieldPosition(TFLiteSchema.OperatorCode.builtinCode, width: 4) { Self.put32(&bytes, p, 98) }
            if let p = try t.fieldPosition(TFLiteSchema.OperatorCode.deprecatedBuiltinCode, width: 1) { bytes[p] = 98 }
        }
        let message = try #require(Self.loadError(bytes))
        #expect(message.contains("LEAKY_RELU") && message.contains("not supported"), "\(message)")
    }

    @Test("a buffer index out of range and a shape that disagrees with the computation")
    func tensorFields() throws {
        var bytes = try Self.original()
        let (_, sg) = try Self.locate(bytes)
        let tensors = try #require(try sg.vector(TFLiteSchema.SubGraph.tensors, elementSize: 4, "tensors"))
        let inputIndex = Int(try #require(try sg.int32s(TFLiteSchema.SubGraph.inputs, "inputs")).first!)
        let t = try tensors.table(inputIndex == 0 ? 1 : 0)
        let p = try #require(try t.fieldPosition(TFLiteSchema.Tensor.buffer, width: 4))
        Self.put32(&bytes, p, 1_000_000)
        #expect(try #require(Self.loadError(bytes)).contains("buffer 1000000"))

        bytes = try Self.original()
        let outs = try #require(try sg.int32s(TFLiteSchema.SubGraph.outputs, "outputs"))
        let shape = try #require(try tensors.table(outs[0]).vector(TFLiteSchema.Tensor.shape, elementSize: 4, "shape"))
        Self.put32(&bytes, shape.start + 4, 895)  // [1, 896, 16] → [1, 895, 16]
        let message = try #require(Self.loadError(bytes))
        #expect(message.contains("cannot reshape") || message.contains("declared"), "\(message)")
    }

    @Test("sparse weights: a CSR index out of range and a broken segment are errors")
    func sparse() throws {
        let url = NeuralNetTestSupport.model("face_detection_full_range_sparse.tflite")
        try #require(FileManager.default.fileExists(atPath: url.path), "model \(url.path) is missing")
        let original = [UInt8](try Data(contentsOf: url))
        let (_, sg) = try Self.locate(original)
        let tensors = try #require(try sg.vector(TFLiteSchema.SubGraph.tensors, elementSize: 4, "tensors"))
        var sparse: FlatTable?
        for i in 0..<tensors.count {
            if let sp = try tensors.table(i).table(TFLiteSchema.Tensor.sparsity, "sparsity") { sparse = sp; break }
        }
        let dims = try #require(try sparse?.vector(TFLiteSchema.Sparsity.dimMetadata, elementSize: 4, "dim_metadata"))
        let csr = try dims.table(dims.count - 1)
        func values(_ field: Int) throws -> FlatVector {
            let width = [1: 4, 2: 2, 3: 1][Int(try csr.u8(field - 1))] ?? 4
            return try #require(try csr.table(field, "v")?.vector(0, elementSize: width, "values"))
        }
        // An index past the dimension.
        var bytes = original
        let indices = try values(TFLiteSchema.Sparsity.indices)
        for b in 0..<indices.elementSize { bytes[indices.start + b] = 0xFF }
        let m1 = try #require(Self.loadError(bytes))
        #expect(m1.contains("out of range"), "\(m1)")
        // A segment boundary past the indices.
        bytes = original
        let segments = try values(TFLiteSchema.Sparsity.segments)
        for b in 0..<segments.elementSize { bytes[segments.start + segments.elementSize + b] = 0xFF }
        let m2 = try #require(Self.loadError(bytes))
        #expect(m2.contains("segment") || m2.contains("addresses"), "\(m2)")
    }

    @Test("hundreds of random byte corruptions: each loads or throws, none crashes")
    func fuzz() throws {
        let original = try Self.original()
        var state: UInt32 = 0x9E37_79B9
        func next() -> Int {
            state ^= state << 13; state ^= state >> 17; state ^= state << 5
            return Int(state)
        }
        var failures = 0, loaded = 0
        for round in 0..<400 {
            var bytes = original
            // Corrupt the FlatBuffer metadata near the start and the end more often than weight data.
            for _ in 0..<(1 + round % 4) {
                let region = next() % 3
                let at = region == 0 ? next() % 4096 : region == 1 ? bytes.count - 1 - next() % 8192 : next() % bytes.count
                bytes[at] ^= UInt8(truncatingIfNeeded: 1 << (next() % 8))
            }
            if let message = Self.loadError(bytes) {
                #expect(!message.isEmpty)
                failures += 1
            } else {
                loaded += 1
            }
        }
        #expect(failures + loaded == 400)
    }

    @Test("wrong input size is an error at run time")
    func wrongInput() throws {
        let net = try NeuralNetwork(tfliteBytes: try Self.original(), name: "m")
        #expect(throws: ModelError.self) { _ = try net.run([Float](repeating: 0, count: 10)) }
    }
}
