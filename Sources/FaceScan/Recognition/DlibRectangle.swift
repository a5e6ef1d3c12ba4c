/// A rectangle with inclusive integer corners, dlib's `rectangle`: it spans columns `left...right` and
/// rows `top...bottom`, so its width is `right − left + 1`. It is what dlib's shape predictor takes:
/// the mean shape's unit square is mapped onto (left, top)…(right, bottom).
public struct DlibRectangle: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Inclusive corners in image pixels.
    public var left: Int, top: Int, right: Int, bottom: Int

    /// A rectangle from its inclusive corners (dlib's `rectangle(left, top, right, bottom)`).
    public init(left: Int, top: Int, right: Int, bottom: Int) {
        self.left = left; self.top = top; self.right = right; self.bottom = bottom
    }

    /// Columns covered: `right − left + 1`.
    public var width: Int { right - left + 1 }
    /// Rows covered: `bottom − top + 1`.
    public var height: Int { bottom - top + 1 }

    public var description: String { "[(\(left), \(top)) (\(right), \(bottom))]" }
}
