import Foundation
import Testing
@testable import FaceScan

/// Malformed dlib model files — truncated, a version tag changed, a huge count, bad values, trailing
/// bytes, random corruption — are clean `ModelError`s that say what is wrong: never a crash, never a
/// read out of bounds, never an allocation sized by an unchecked count.
///
/// Serialized: each case holds copies of a 22 MB model, and many at once would swell the process's
/// memory while VideoReaderTests measures that it stays flat.
@Suite("dlib malformed models", .serialized)
struct DlibMalformedModelTests {
    static func resnetBytes() throws -> [UInt8] { try DlibModelTests.bytes(.faceRecognitionResNet) }
    static func sp5Bytes() throws -> [UInt8] { try DlibModelTests.bytes(.shapePredictor5) }

    /// The error message of parsing `bytes` as the ResNet (nil if it parsed).
    static func resnetError(_ bytes: [UInt8]) -> String? {
        do {
            _ = try NeuralNetwork(dlibResNetBytes: bytes, name: "resnet.dat")
            return nil
        } catch let e as ModelError {
            #expect(e.file == "resnet.dat")
            return e.message
        } catch {
            Issue.record("unexpected error type \(type(of: error)): \(error)")
            return "\(error)"
        }
    }

    static func sp5Error(_ bytes: [UInt8]) -> String? {
        do {
            _ = try FaceShapePredictor(bytes: bytes, name: "sp5.dat")
            return nil
        } catch let e as ModelError {
            #expect(e.file == "sp5.dat")
            return e.message
        } catch {
            Issue.record("unexpected error type \(type(of: error)): \(error)")
            return "\(error)"
        }
    }

    /// Offset of the first occurrence of `pattern`.
    static func find(_ pattern: String, in bytes: [UInt8], from start: Int = 0) throws -> Int {
        let p = Array(pattern.utf8)
        let i = (start..<(bytes.count - p.count)).first { bytes[$0..<($0 + p.count)].elementsEqual(p) }
        return try #require(i, "\(pattern) not found")
    }

    @Test("the unmodified files load")
    func originals() throws {
        #expect(Self.resnetError(try Self.resnetBytes()) == nil)
        #expect(Self.sp5Error(try Self.sp5Bytes()) == nil)
    }

    @Test("ResNet truncated", arguments: [0, 1, 2, 5, 30, 290, 300, 330, 1000, 50_000, 11_000_000, 22_466_000, 22_466_065])
    func resnetTruncated(_ length: Int) throws {
        let message = try #require(Self.resnetError(Array(try Self.resnetBytes().prefix(length))))
        #expect(message.contains("file ends") || message.contains("left"), "truncated at \(length): \(message)")
    }

    @Test("shape predictor truncated", arguments: [0, 1, 3, 8, 70, 1000, 4_000_000, 9_150_000, 9_150_488])
    func sp5Truncated(_ length: Int) throws {
        let message = try #require(Self.sp5Error(Array(try Self.sp5Bytes().prefix(length))))
        #expect(message.contains("file ends") || message.contains("left"), "truncated at \(length): \(message)")
    }

    @Test("ResNet: a version tag changed (loss wrapper, a layer wrapper, a layer string, a tensor, the input)")
    func resnetVersions() throws {
        let original = try Self.resnetBytes()
        var b = original
        b[1] = 2  // add_loss_layer version 1 → 2
        #expect(Self.resnetError(b)?.contains("add_loss_layer version is 2, expected 1") == true)
        b = original
        let firstWrapper = try Self.find("loss_metric_2", in: original) + 13 + 12  // after margin and threshold
        #expect(b[firstWrapper] == 1 && b[firstWrapper + 1] == 2)
        b[firstWrapper + 1] = 3
        #expect(Self.resnetError(b)?.contains("version of wrapper 1 (fc_no_bias) counted from the output is 3, expected 2") == true,
                "\(Self.resnetError(b) ?? "")")
        b = original
        let con = try Self.find("con_4", in: original)
        b[con + 4] = UInt8(ascii: "5")
        #expect(Self.resnetError(b)?.contains("layer 0 (con) version is \"con_5\", expected \"con_4\"") == true)
        b = original
        b[con + 6] = 3  // the params tensor's version 2 → 3
        #expect(Self.resnetError(b)?.contains("layer 0 (con) params tensor version is 3, expected 2") == true,
                "\(Self.resnetError(b) ?? "")")
        b = original
        let input = try Self.find("input_rgb_image_sized", in: original)
        b[input] = UInt8(ascii: "I")
        #expect(Self.resnetError(b)?.contains("input layer version") == true)
        b = original
        let relu = try Self.find("relu_", in: original)
        b[relu + 4] = UInt8(ascii: "2")
        #expect(Self.resnetError(b)?.contains("expected \"relu_\"") == true)
    }

    @Test("ResNet: wrong geometry, a huge tensor, a NaN weight, trailing bytes")
    func resnetContents() throws {
        let original = try Self.resnetBytes()
        let con = try Self.find("con_4", in: original)
        // The first conv's params tensor: version (01 02), then num_samples packed as 02 80 12 (4736).
        #expect(Array(original[(con + 5)..<(con + 10)]) == [1, 2, 2, 0x80, 0x12])
        var b = original
        b.replaceSubrange((con + 7)..<(con + 10), with: [8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])
        let huge = try #require(Self.resnetError(b))
        #expect(huge.contains("too large") || huge.contains("only"), "\(huge)")
        // A filter size of 5 instead of 7 (nr, after the data and num_filters).
        let dataEnd = con + 10 + 6 + 4736 * 4  // k, nr, nc packed as 01 01 each
        #expect(Array(original[(con + 10)..<(con + 16)]) == [1, 1, 1, 1, 1, 1])
        #expect(Array(original[dataEnd..<(dataEnd + 4)]) == [1, 32, 1, 7])
        b = original
        b[dataEnd + 3] = 5
        #expect(Self.resnetError(b)?.contains("expected 32 filters 7×7 stride 2 padding 0") == true)
        b = original
        for i in 0..<4 { b[con + 16 + i] = [0x00, 0x00, 0xc0, 0x7f][i] }  // first weight = NaN
        #expect(Self.resnetError(b)?.contains("parameter 0 is nan") == true)
        b = original + [0]
        #expect(Self.resnetError(b)?.contains("1 bytes follow the end of the network") == true)
    }

    @Test("shape predictor: version, huge counts, bad indices, non-finite values, trailing bytes")
    func sp5Contents() throws {
        let original = try Self.sp5Bytes()
        var b = original
        b[1] = 2
        #expect(Self.sp5Error(b)?.contains("shape_predictor version is 2, expected 1") == true)
        // Layout: 01 01 (version), 81 0a 81 01 (matrix −10 × −1), 10 floats of 6 bytes, then the forests count 01 0f.
        let forests = 2 + 4 + 10 * 6
        #expect(Array(original[forests..<(forests + 2)]) == [1, 15])
        b = original
        b.replaceSubrange(forests..<(forests + 2), with: [8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])
        #expect(Self.sp5Error(b)?.contains("cannot fit") == true)
        // The first tree: trees count 02 f4 01 (500), splits count 01 0f, split 0 idx1 02 5a 01 (346).
        #expect(Array(original[(forests + 2)..<(forests + 10)]) == [2, 0xf4, 1, 1, 15, 2, 0x5a, 1])
        b = original
        b[forests + 6] = 14  // 14 splits: the tree is no longer complete (the 15th split is read as the leaf count)
        #expect(Self.sp5Error(b) != nil)
        b = original
        b.replaceSubrange((forests + 7)..<(forests + 10), with: [2, 0x20, 0x03])  // idx1 346 → 800: outside the level
        #expect(Self.sp5Error(b)?.contains("compares feature pixels 800") == true, "\(Self.sp5Error(b) ?? "")")
        b = original
        // The first mean-shape value's exponent (81 18) → 32002 (NaN): 02 02 7d.
        b.replaceSubrange(10..<12, with: [2, 0x02, 0x7d])
        #expect(Self.sp5Error(b)?.contains("initial_shape element 0 is nan") == true, "\(Self.sp5Error(b) ?? "")")
        b = original
        b[6] = 0x41  // old ASCII float format marker
        #expect(Self.sp5Error(b)?.contains("old ASCII float format") == true)
        b = original + [1, 2, 3]
        #expect(Self.sp5Error(b)?.contains("3 bytes follow the end of the shape predictor") == true)
    }

    @Test("random corruption of the headers is a ModelError or a model that still loads, never a crash")
    func fuzz() throws {
        let sp5 = try Self.sp5Bytes()
        var state: UInt32 = 0x9E37_79B9
        func next() -> Int {
            state ^= state << 13; state ^= state >> 17; state ^= state << 5
            return Int(state)
        }
        var errors = 0
        for _ in 0..<40 {
            var b = sp5
            for _ in 0..<3 { b[next() % 4000] = UInt8(truncatingIfNeeded: next()) }
            if Self.sp5Error(b) != nil { errors += 1 }
        }
        #expect(errors > 0)
        let resnet = try Self.resnetBytes()
        for _ in 0..<10 {
            var b = resnet
            for _ in 0..<3 { b[next() % 400] = UInt8(truncatingIfNeeded: next()) }
            _ = Self.resnetError(b)
        }
    }
}
