import Foundation

/// Similarity in [0, 100] from the Euclidean distance between two face descriptors, on a scale fitted to
/// false-match rates, so that a FaceMatchThreshold means what it means at the service: at the default 80,
/// about 1 pair of different people in 1000 matches; at 90, 1 in 10,000; at 99, 1 in a million.
///
/// `logit(Similarity / 100)` is piecewise linear in the distance through `anchors`, and continues with
/// the slope of the nearest segment beyond the first and the last, so Similarity falls strictly with
/// distance. The anchors were fitted by scripts/fit_similarity.py on the 4,950 pairs of the 100 LFW
/// photos in ../shared/data/lfw_subset (10 people; 450 same-person pairs, 4,500 different):
///
/// - 80 sits where 1/1000 of the different-person distances fall below. This is measured: the smaller
///   of the empirical quantile and that of a normal distribution fitted to those distances.
/// - 90 and 99 sit at the normal distribution's 1/10,000 and 1/1,000,000 quantiles. These are
///   extrapolated, as 4,500 pairs cannot resolve such rates.
///
/// The earlier scale put 80 at dlib's decision distance 0.6, where about 1 different-person pair in 300
/// matched.
public enum Similarity {
    /// (distance, Similarity), nearest first; scripts/similarity_curve.py holds the same numbers.
    public static let anchors: [(distance: Double, percent: Double)] = [(0.4540, 99), (0.5231, 90), (0.5651, 80)]

    private static func logit(_ p: Double) -> Double { log(p / (100 - p)) }

    /// Segment `i` (anchors i and i + 1): its start distance, logit there and slope.
    private static func segment(_ i: Int) -> (d: Double, l: Double, slope: Double) {
        let a = anchors[i], b = anchors[i + 1]
        return (a.distance, logit(a.percent), (logit(b.percent) - logit(a.percent)) / (b.distance - a.distance))
    }

    public static func percent(distance: Float) -> Float {
        let d = Double(distance)
        var i = 0
        while i < anchors.count - 2 && d > anchors[i + 1].distance { i += 1 }
        let s = segment(i)
        let z = min(max(s.l + s.slope * (d - s.d), -80), 80)
        return Float(100 / (1 + exp(-z)))
    }

    /// The distance at which Similarity equals `percent` (0 < percent < 100).
    public static func distance(forPercent percent: Double) -> Double {
        let z = logit(min(max(percent, 1e-9), 100 - 1e-9))
        var i = 0
        while i < anchors.count - 2 && z < logit(anchors[i + 1].percent) { i += 1 }
        let s = segment(i)
        return s.d + (z - s.l) / s.slope
    }
}
