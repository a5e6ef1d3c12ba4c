import Foundation

/// Similarity in [0, 100] from the Euclidean distance between two face descriptors.
///
/// A logistic curve, Similarity = 100 / (1 + exp(k · (d − d₀))), strictly decreasing in d. d₀ places
/// dlib's decision distance 0.6 at Similarity 80, the API's default FaceMatchThreshold
/// (d₀ = 0.6 + ln(4)/k), so a FaceMatchThreshold of 80 matches faces closer than 0.6, as the
/// face_recognition library's default tolerance does. The slope k = 18.41 was calibrated on the 4,950
/// pairs of the 100 LFW photos in ../shared/data/lfw_subset (scripts/calibrate_similarity.py): it maps
/// the median same-person distance (0.426) to 99; the median different-person distance (0.772) then
/// reads 14. (A plain logistic fit gives k ≈ 71: the pairs are nearly separable, and so steep a curve
/// would put almost every pair at 0 or 100.)
public enum Similarity {
    /// Fitted slope (per unit of distance).
    public static let slope = 18.41
    public static let decisionDistance = 0.6
    public static let decisionSimilarity = 80.0
    public static var midpoint: Double { decisionDistance + log(decisionSimilarity / (100 - decisionSimilarity)) / slope }

    public static func percent(distance: Float) -> Float {
        Float(100 / (1 + exp(slope * (Double(distance) - midpoint))))
    }

    /// The distance at which Similarity equals `percent` (0 < percent < 100).
    public static func distance(forPercent percent: Double) -> Double {
        midpoint + log(100 / percent - 1) / slope
    }
}
