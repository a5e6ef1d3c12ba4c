/// The API's QualityFilter (CompareFaces, SearchFacesByImage): a quality bar below which a face is not
/// compared or searched. The service does not publish its bars; facescan's are stated in terms of what it
/// measures, each level stricter than the one before, AUTO being MEDIUM:
///
/// | bar | Confidence | face height | Sharpness | Brightness | abs(Yaw) | abs(Pitch) |
/// |---|---|---|---|---|---|---|
/// | LOW | 60 | 20 px | 5 | 10 | 75° | 60° |
/// | MEDIUM, AUTO | 80 | 40 px | 15 | 20 | 60° | 45° |
/// | HIGH | 90 | 80 px | 30 | 30 | 45° | 30° |
///
/// A face below a bar gets the API's reasons (those of UnindexedFace): LOW_CONFIDENCE, SMALL_BOUNDING_BOX,
/// LOW_SHARPNESS, LOW_BRIGHTNESS, EXTREME_POSE.
public enum QualityFilter: String, CaseIterable, Sendable {
    case none = "NONE", auto = "AUTO", low = "LOW", medium = "MEDIUM", high = "HIGH"

    struct Bar {
        var confidence: Float, pixels: Double, sharpness: Float, brightness: Float, yaw: Float, pitch: Float
    }

    var bar: Bar? {
        switch self {
        case .none: return nil
        case .low: return Bar(confidence: 60, pixels: 20, sharpness: 5, brightness: 10, yaw: 75, pitch: 60)
        case .auto, .medium: return Bar(confidence: 80, pixels: 40, sharpness: 15, brightness: 20, yaw: 60, pitch: 45)
        case .high: return Bar(confidence: 90, pixels: 80, sharpness: 30, brightness: 30, yaw: 45, pitch: 30)
        }
    }

    /// Why `face` (in a frame `frameHeight` pixels high) falls below the bar; empty when it passes.
    public func reasons(_ face: FaceDetail, frameHeight: Int) -> [String] {
        guard let bar else { return [] }
        var out: [String] = []
        if !(face.confidence >= bar.confidence) { out.append("LOW_CONFIDENCE") }
        if !(Double(face.boundingBox.height) * Double(frameHeight) >= bar.pixels) { out.append("SMALL_BOUNDING_BOX") }
        if let q = face.quality {
            if !(q.sharpness >= bar.sharpness) { out.append("LOW_SHARPNESS") }
            if !(q.brightness >= bar.brightness) { out.append("LOW_BRIGHTNESS") }
        }
        if let p = face.pose, !(abs(p.yaw) <= bar.yaw && abs(p.pitch) <= bar.pitch) { out.append("EXTREME_POSE") }
        return out
    }
}
