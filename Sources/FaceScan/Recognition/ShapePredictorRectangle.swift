extension FaceDescriptorExtractor {
    /// Side of the shape predictor's square relative to the mean side of BlazeFace's box.
    static let rectangleScale = 0.939
    /// Shift of the square's centre from the box centre, in units of the square's side (x right, y down).
    static let rectangleShiftX = 0.016
    static let rectangleShiftY = 0.021

    /// The rectangle dlib's 5-point shape predictor is given for a BlazeFace detection: a square standing
    /// in for the box dlib's HOG face detector would have drawn (the box `face_recognition` gives it).
    ///
    /// The square's side is `rectangleScale` × the mean of the box's width and height and its centre is
    /// the box's centre shifted by (`rectangleShiftX`, `rectangleShiftY`) sides; corners are rounded to
    /// whole pixels as dlib's rectangles are.
    ///
    /// The three numbers are medians measured by `scripts/measure_sp5_rectangle.py` over 168 faces that
    /// both detectors found (100 LFW photos, dlib's example photos, the test photos): dlib's HOG square is
    /// 0.939 (interquartile 0.884–1.015) times BlazeFace's mean side, its centre 0.016 of its side to the
    /// right and 0.021 lower. With dlib's shape predictor and ResNet, the descriptor from this square lies
    /// at a median distance of 0.043 (90th percentile 0.095) from the descriptor from HOG's own box (0.047
    /// and 0.091 for BlazeFace's box used as it is), far below the 0.6 that separates people.
    public static func shapePredictorRectangle(for d: Detection) -> DlibRectangle {
        let side = max(1, rectangleScale * (d.width + d.height) / 2)
        let cx = (d.xmin + d.xmax) / 2 + rectangleShiftX * side
        let cy = (d.ymin + d.ymax) / 2 + rectangleShiftY * side
        func whole(_ v: Double) -> Int { v.isNaN ? 0 : Int(min(max(v.rounded(), -1e9), 1e9)) }
        let left = whole(cx - side / 2), top = whole(cy - side / 2)
        let n = max(1, whole(side))
        return clamped(DlibRectangle(left: left, top: top, right: left + n - 1, bottom: top + n - 1))
    }
}
