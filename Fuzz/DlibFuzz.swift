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
    if let predictor = answer("shape predictor", ModelError.self, { try FaceShapePredictor(bytes: bytes, name: "fuzz.dat") }) {
        let points = predictor.predict(image, rect: DlibRectangle(left: 1, top: 1, right: 6, bottom: 4))
        guard points.count == predictor.model.parts else { fatalError("\(points.count) points for \(predictor.model.parts) parts") }
        fuzzLog("shape predictor loaded: \(predictor.model.parts) parts, \(predictor.model.levels.count) levels; \(points)")
    }
    if answer("ResNet", ModelError.self, { try NeuralNetwork(dlibResNetBytes: bytes, name: "fuzz.dat") }) != nil { fuzzLog("ResNet loaded") }
    return 0
}
