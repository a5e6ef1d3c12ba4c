import Foundation
import Testing
@testable import FaceScan

/// Inputs the libFuzzer harnesses (`make fuzz`, Fuzz/*.swift) found to crash or misbehave, each kept
/// as a test once fixed: every one must now be a clean error (or a correct result), never a trap.
@Suite("fuzz regressions")
struct FuzzRegressionTests {
    /// A TFLite model whose one operator (RELU) has no outputs. The graph builder read the output
    /// tensor's name as `tensors[-1]` before checking the output count: an index out of range (trap).
    /// Found by the tflite harness; this is the smallest such model (written with the FlatBuffer
    /// writer of scripts/make-fuzz-seeds.py: input [1, 2, 2, 1], RELU with inputs [0] and outputs []).
    static let operatorWithoutOutputs = """
        GAAAAFRGTDMAAA4AGAAEAAgADAAQABQADgAAAAMAAAAQAAAANAAAADgBAABMAQAAAQAAABQAAAAAAAAADAAQAAQAAAAIAAwADAAAAB\
        MAAAABAAAAEwAAAAEAAAAUAAAAAAAOABgABAAIAAwAEAAUAA4AAAAUAAAAnAAAAKAAAACkAAAA0AAAAAIAAAAUAAAAUAAAAAwAFAAE\
        AAgADAAQAAwAAAAQAAAAAAAAAAAAAAAYAAAABAAAAAEAAAACAAAAAgAAAAEAAAAFAAAAaW5wdXQAAAAMABQABAAIAAwAEAAMAAAAEA\
        AAAAAAAAAAAAAAGAAAAAQAAAABAAAAAgAAAAIAAAABAAAABgAAAG91dHB1dAAAAQAAAAAAAAABAAAAAQAAAAEAAAAQAAAAAAAKABAA\
        BAAIAAwACgAAAAAAAAAIAAAADAAAAAEAAAAAAAAAAAAAAAQAAABtYWluAAAAABIAAABmYWNlc2NhbiBmdXp6IHNlZWQAAAEAAAAMAA\
        AAAAAAAAQABAAEAAAA
        """

    @Test("TFLite: an operator without outputs is a ModelError, not an index out of range")
    func tfliteOperatorWithoutOutputs() throws {
        let bytes = [UInt8](try #require(Data(base64Encoded: Self.operatorWithoutOutputs)))
        #expect(bytes.count == 396)
        do {
            _ = try NeuralNetwork(tfliteBytes: bytes, name: "fuzz.tflite")
            Issue.record("the model loaded")
        } catch let e as ModelError {
            #expect(e.file == "fuzz.tflite")
            #expect(e.message.contains("operator 0 (RELU)") && e.message.contains("has 0 outputs"), "\(e.message)")
        }
    }

    /// `-0` in a stored result item was read back as the integer 0 and printed as `0`, not as the `-0`
    /// that was stored (a page read from the job store differed from the same document printed
    /// directly). Found by the json harness's render/parse round trip on `[0, -0., …]`.
    @Test("JSON: negative zero survives a render and parse round trip", arguments: ["-0", "-0.", "-0.0", "[0, -0., -0, 1]", "{\"Roll\":-0}"])
    func jsonNegativeZero(_ text: String) throws {
        let value = try JSON(parsing: text)
        let rendered = value.rendered()
        #expect(rendered.contains("-0"), "\(text) → \(rendered)")
        #expect(try JSON(parsing: rendered).rendered() == rendered, "\(text) → \(rendered)")
        #expect(try JSON(parsing: "0").rendered() == "0")
    }
}
