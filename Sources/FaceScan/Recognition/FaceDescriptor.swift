/// A face's 128-D descriptor from dlib's face recognition ResNet, with the five landmarks and the
/// rectangle it was computed from.
///
/// Descriptors of the same person lie close together: dlib's model was trained so that two faces whose
/// descriptors are less than 0.6 apart (Euclidean distance) are, in most cases, the same person
/// (`FaceDescriptor.sameFaceThreshold`; 99.38 % on LFW by dlib's measure).
public struct FaceDescriptor: Sendable {
    /// The 128 values (not normalised; their norm is typically about 1.4).
    public let values: [Float]
    /// The five landmarks in image pixels, dlib's order: the outer then the inner corner of the eye on the
    /// image's right, the outer then the inner corner of the eye on the image's left, the bottom of the nose.
    public let landmarks: [(x: Double, y: Double)]
    /// The rectangle the landmarks were predicted in.
    public let rectangle: DlibRectangle

    /// dlib's distance threshold for "same person" (the metric loss's `distance_threshold`).
    public static let sameFaceThreshold: Float = 0.6

    /// A descriptor from its parts (e.g. one read back from storage).
    public init(values: [Float], landmarks: [(x: Double, y: Double)], rectangle: DlibRectangle) {
        self.values = values
        self.landmarks = landmarks
        self.rectangle = rectangle
    }

    /// Euclidean distance between two descriptors (accumulated in double).
    public func distance(to other: FaceDescriptor) -> Float {
        FaceDescriptor.distance(values, other.values)
    }

    /// Euclidean distance between two equally long vectors (accumulated in double).
    public static func distance(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "descriptors of different lengths")
        var s = 0.0
        for i in a.indices {
            let d = Double(a[i]) - Double(b[i])
            s += d * d
        }
        return Float(s.squareRoot())
    }
}
