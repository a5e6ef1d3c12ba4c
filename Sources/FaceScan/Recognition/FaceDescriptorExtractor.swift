import Foundation

/// Computes dlib's 128-D face descriptors (what `face_recognition.face_encodings` and Rekognition's face
/// vectors are for: comparing faces) on facescan's own engine:
///
/// 1. **5 landmarks**: dlib's 5-point shape predictor (`shape_predictor_5_face_landmarks.dat`) in a
///    rectangle around the face (`shapePredictorRectangle(for:)` derives it from a BlazeFace detection);
/// 2. **face chip**: the face aligned to dlib's template, 150×150 pixels with padding 0.25, exactly as
///    dlib's `get_face_chip_details` + `extract_image_chip` make it (`FaceChipExtractor`);
/// 3. **descriptor**: dlib's ResNet (`dlib_face_recognition_resnet_model_v1.dat`), read into a graph of
///    the engine's operators (convolutions with their affine layers folded in, ReLU, pooling, residual
///    adds), on the chip normalised as `(pixel − mean) / 256`.
///
/// Results match dlib's own (dlib-bin 20.0.1): the same 5 points, the chip within rounding, the
/// descriptor within 1e-3 (see README, "Face descriptors").
///
/// - warning: Not thread-safe (it owns a `NeuralNetwork` and its buffers): use one instance per thread.
public final class FaceDescriptorExtractor {
    /// Side of the aligned chip the network takes.
    public static let chipSize = 150
    /// dlib's padding around the template in `get_face_chip_details` (as `face_recognition` uses it).
    public static let chipPadding = 0.25

    private let network: NeuralNetwork
    private let predictor: FaceShapePredictor
    private let mean: (red: Float, green: Float, blue: Float)
    private var input: [Float]

    /// Threads the network uses (default 1).
    public var threads: Int {
        get { network.threads }
        set { network.threads = newValue }
    }

    /// Loads both dlib models from `store` (verified against their SHA-256).
    ///
    /// - Throws: `APIError` when a model file is missing or corrupt (the message says to run
    ///   `facescan models fetch`), `ModelError` if a file cannot be parsed.
    public init(store: ModelStore, threads: Int = 1) throws {
        let resnet = try DlibResNetModel(bytes: [UInt8](try store.load(.faceRecognitionResNet)),
                                         file: store.url(of: .faceRecognitionResNet).path)
        network = try NeuralNetwork(dlibResNet: resnet, name: store.url(of: .faceRecognitionResNet).path,
                                    threads: threads, optimize: true, reuseBuffers: true)
        mean = resnet.mean
        predictor = try FaceShapePredictor(bytes: [UInt8](try store.load(.shapePredictor5)),
                                           name: store.url(of: .shapePredictor5).path)
        input = [Float](repeating: 0, count: Self.chipSize * Self.chipSize * 3)
    }

    /// The descriptor of the face BlazeFace found at `detection`.
    public func descriptor(for image: RGBImage, detection: Detection) throws -> FaceDescriptor {
        try descriptor(for: image, rectangle: Self.shapePredictorRectangle(for: detection))
    }

    /// The descriptor of the face in `rectangle` (dlib's convention, e.g. a dlib detector's box).
    public func descriptor(for image: RGBImage, rectangle: DlibRectangle) throws -> FaceDescriptor {
        let points = landmarks(in: image, rectangle: rectangle)
        let values = try descriptor(chip: chip(from: image, landmarks: points))
        return FaceDescriptor(values: values, landmarks: points, rectangle: rectangle)
    }

    /// The five landmarks dlib's shape predictor finds in `rectangle`, in whole pixels.
    public func landmarks(in image: RGBImage, rectangle: DlibRectangle) -> [(x: Double, y: Double)] {
        predictor.predict(image, rect: Self.clamped(rectangle)).map { (Double($0.x), Double($0.y)) }
    }

    /// The aligned 150×150 face chip for five landmarks (dlib's `get_face_chip(image, shape, 150, 0.25)`).
    public func chip(from image: RGBImage, landmarks: [(x: Double, y: Double)]) -> RGBImage {
        precondition(landmarks.count == 5, "chip(from:landmarks:) takes the five landmarks of the 5-point model")
        return FaceChipExtractor.extract(image, Self.chipDetails(landmarks: landmarks))
    }

    /// Where the chip for five landmarks lies in the image (dlib's `get_face_chip_details`).
    public static func chipDetails(landmarks: [(x: Double, y: Double)]) -> FaceChipDetails {
        FaceChipExtractor.details(landmarks: landmarks, size: chipSize, padding: chipPadding)
    }

    /// The 128 descriptor values of an aligned 150×150 chip (dlib's
    /// `compute_face_descriptor(chip)`).
    public func descriptor(chip: RGBImage) throws -> [Float] {
        guard chip.width == Self.chipSize, chip.height == Self.chipSize else {
            throw APIError(.invalidParameter, "a face chip is \(Self.chipSize)×\(Self.chipSize) pixels, not \(chip.width)×\(chip.height)")
        }
        let (mr, mg, mb) = mean
        chip.pixels.withUnsafeBufferPointer { px in
            input.withUnsafeMutableBufferPointer { dst in
                for i in 0..<(Self.chipSize * Self.chipSize) {
                    dst[3 * i] = (Float(px[3 * i]) - mr) / 256
                    dst[3 * i + 1] = (Float(px[3 * i + 1]) - mg) / 256
                    dst[3 * i + 2] = (Float(px[3 * i + 2]) - mb) / 256
                }
            }
        }
        return try input.withUnsafeBufferPointer { Array(try network.run($0)[0]) }
    }

    /// Keeps a rectangle's coordinates within ±2²⁴ pixels (far beyond any image facescan accepts) so that
    /// no arithmetic on them can overflow.
    static func clamped(_ r: DlibRectangle) -> DlibRectangle {
        func c(_ v: Int) -> Int { min(max(v, -(1 << 24)), 1 << 24) }
        return DlibRectangle(left: c(r.left), top: c(r.top), right: c(r.right), bottom: c(r.bottom))
    }
}
