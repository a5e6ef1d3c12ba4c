// libFuzzer harness: the dlib `.dat` readers (Sources/FaceScan/NeuralNet/Dlib/: `DlibReader`, the
// shape predictor and the face recognition ResNet). Built and run by scripts/fuzz.sh.
//
// Every input is parsed as both models: a model or a `ModelError`, never a trap, never a read out of
// bounds. A shape predictor that loads is run on a small image: its checks (feature indices, anchors,
// leaf counts) must be all that inference relies on.
@testable import FaceScan

let image = RGBImage(width: 8, height: 6, pixels: (0..<(8 * 6 * 3)).map { UInt8(truncatingIfNeeded: $0 &* 37) })

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let predictor = try FaceShapePredictor(bytes: bytes, name: "fuzz.dat")
        let points = predictor.predict(image, rect: DlibRectangle(left: 1, top: 1, right: 6, bottom: 4))
        guard points.count == predictor.model.parts else { fatalError("\(points.count) points for \(predictor.model.parts) parts") }
        fuzzLog("shape predictor loaded: \(predictor.model.parts) parts, \(predictor.model.levels.count) levels; \(points)")
    } catch let e as ModelError {
        fuzzLog("shape predictor: \(e.message)")
    } catch {
        fatalError("shape predictor threw \(type(of: error)), not ModelError: \(error)")
    }
    do {
        _ = try NeuralNetwork(dlibResNetBytes: bytes, name: "fuzz.dat")
        fuzzLog("ResNet loaded")
    } catch let e as ModelError {
        fuzzLog("ResNet: \(e.message)")
    } catch {
        fatalError("ResNet threw \(type(of: error)), not ModelError: \(error)")
    }
    return 0
}
