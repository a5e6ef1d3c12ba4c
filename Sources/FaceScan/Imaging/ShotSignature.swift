/// A tiny summary of a frame's picture (the mean colour of each cell of a 16×16 grid) to tell a cut
/// between shots from motion within one: across a cut most cells change colour at once, while a person
/// moving or the camera panning changes a few cells or changes them little.
public struct ShotSignature: Sendable {
    public static let grid = 16
    /// Mean absolute difference of the cells' colour channels (0–255) above which two frames are taken
    /// to belong to different shots. Measured on the cuts of short_hamilton_clip.mp4 and the shared
    /// talking-head videos (README, "Tracking faces through a video").
    public static let cutThreshold: Double = 28

    let cells: [Double]

    public init(_ image: RGBImage) {
        let n = Self.grid
        var sums = [Double](repeating: 0, count: n * n * 3)
        var counts = [Int](repeating: 0, count: n * n)
        // Every 4th pixel of every 4th row is plenty for a mean colour.
        image.pixels.withUnsafeBufferPointer { px in
            for y in stride(from: 0, to: image.height, by: 4) {
                let cy = y * n / image.height
                for x in stride(from: 0, to: image.width, by: 4) {
                    let c = cy * n + x * n / image.width
                    let i = (y * image.width + x) * 3
                    sums[3 * c] += Double(px[i]); sums[3 * c + 1] += Double(px[i + 1]); sums[3 * c + 2] += Double(px[i + 2])
                    counts[c] += 1
                }
            }
        }
        cells = sums.indices.map { counts[$0 / 3] > 0 ? sums[$0] / Double(counts[$0 / 3]) : 0 }
    }

    /// Mean absolute difference of the two signatures' cells (0–255).
    public func difference(_ other: ShotSignature) -> Double {
        var total = 0.0
        for i in cells.indices { total += abs(cells[i] - other.cells[i]) }
        return total / Double(cells.count)
    }

    public func isCut(from other: ShotSignature) -> Bool { difference(other) > Self.cutThreshold }
}
