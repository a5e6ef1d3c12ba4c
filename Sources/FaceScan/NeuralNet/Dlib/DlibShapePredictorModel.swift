/// dlib's shape predictor (`shape_predictor_5_face_landmarks.dat`, also the 68-point one) parsed from its
/// serialization (`dlib/image_processing/shape_predictor.h`, see `../shared/docs/models.md` §5.5):
///
/// `int version (1)` · `matrix<float,0,1> initial_shape` (the mean shape x0, y0, x1, y1, … in box-normalised
/// coordinates) · `vector<vector<regression_tree>> forests` (cascade levels × trees; a tree is
/// `vector<split_feature{unsigned long idx1, idx2; float thresh}>`, a complete binary tree in breadth-first
/// order, plus `vector<matrix<float,0,1>> leaf_values`, one shape increment per leaf) ·
/// `vector<vector<unsigned long>> anchor_idx` (per level and feature pixel: the landmark it hangs from) ·
/// `vector<vector<vector<float,2>>> deltas` (its offset from that landmark in the mean shape's frame).
///
/// Everything dlib's inference relies on is checked: leaf counts are powers of two equal to splits + 1,
/// feature indices address the level's feature pixels, anchors address landmarks, leaf vectors have one
/// value per coordinate, every float is finite, and the file is read to its last byte.
struct DlibShapePredictorModel {
    /// One regression tree: its splits and leaves, as ranges of the level's flat arrays.
    struct Tree {
        var firstSplit: Int
        var splitCount: Int
        /// Offset (in floats) of the first leaf vector in `Level.leafValues`.
        var firstLeaf: Int
    }

    /// One cascade level.
    struct Level {
        var trees: [Tree]
        /// Per split: the two feature pixels compared and the threshold on their difference.
        var idx1: [Int32], idx2: [Int32], thresholds: [Float]
        /// All leaf vectors of all trees, `2 · parts` floats each.
        var leafValues: [Float]
        /// Per feature pixel: the anchor landmark and the offset from it (mean-shape frame).
        var anchors: [Int32]
        var deltas: [SIMD2<Float>]
    }

    /// Number of landmarks.
    var parts: Int
    /// The mean shape, `2 · parts` floats (x, y per landmark), (0, 0) top-left and (1, 1) bottom-right of the box.
    var initialShape: [Float]
    var levels: [Level]

    /// Parses and checks the file.
    /// - Throws: `ModelError` naming the offset and what is wrong.
    init(bytes: [UInt8], file: String) throws {
        var r = DlibReader(bytes: bytes, file: file)
        try r.expectInt(1, "shape_predictor version")
        let shape = try r.floatMatrix("initial_shape")
        guard shape.columns == 1, shape.rows >= 2, shape.rows % 2 == 0, shape.rows <= 2 * 4096 else {
            throw r.error("initial_shape is \(shape.rows)×\(shape.columns); a column of 2·parts values is required")
        }
        initialShape = shape.values
        parts = shape.rows / 2
        let vectorLength = shape.rows
        // A tree takes at least: 1 count byte + one split (3 ints of ≥2 bytes, a float of ≥4) + leaves.
        let levelCount = try r.count("forests", minBytes: 2)
        var levels: [Level] = []
        for l in 0..<levelCount {
            let treeCount = try r.count("forest \(l) trees", minBytes: 4)
            var level = Level(trees: [], idx1: [], idx2: [], thresholds: [], leafValues: [], anchors: [], deltas: [])
            level.trees.reserveCapacity(treeCount)
            for t in 0..<treeCount {
                let at = "level \(l) tree \(t)"
                let splitCount = try r.count("\(at) splits", minBytes: 8)
                let first = level.idx1.count
                for s in 0..<splitCount {
                    let a = try r.unsignedLong("\(at) split \(s) idx1"), b = try r.unsignedLong("\(at) split \(s) idx2")
                    guard a <= Int(Int32.max), b <= Int(Int32.max) else {
                        throw r.error("\(at) split \(s): feature index \(max(a, b)) is too large")
                    }
                    level.idx1.append(Int32(a))
                    level.idx2.append(Int32(b))
                    level.thresholds.append(try r.finiteFloat("\(at) split \(s) threshold"))
                }
                let leafStart = r.offset
                let leafCount = try r.count("\(at) leaves", minBytes: 4 + 4 * vectorLength)
                guard leafCount == splitCount + 1, leafCount & (leafCount - 1) == 0 else {
                    throw r.error("\(at) has \(splitCount) splits and \(leafCount) leaves; a complete binary tree (leaves a power of two, splits + 1) is required", at: leafStart)
                }
                let leafOffset = level.leafValues.count
                for k in 0..<leafCount {
                    let m = try r.floatMatrix("\(at) leaf \(k)")
                    guard m.rows == vectorLength, m.columns == 1 else {
                        throw r.error("\(at) leaf \(k) is \(m.rows)×\(m.columns), expected \(vectorLength)×1")
                    }
                    level.leafValues += m.values
                }
                level.trees.append(Tree(firstSplit: first, splitCount: splitCount, firstLeaf: leafOffset))
            }
            levels.append(level)
        }
        let anchorLevels = try r.count("anchor_idx", minBytes: 1)
        guard anchorLevels == levelCount else {
            throw r.error("anchor_idx has \(anchorLevels) levels, the forests \(levelCount)")
        }
        for l in 0..<levelCount {
            let n = try r.count("anchor_idx level \(l)", minBytes: 2)
            levels[l].anchors.reserveCapacity(n)
            for i in 0..<n {
                let a = try r.unsignedLong("anchor_idx level \(l) pixel \(i)")
                guard a < parts else { throw r.error("anchor_idx level \(l) pixel \(i) is landmark \(a); there are \(parts)") }
                levels[l].anchors.append(Int32(a))
            }
        }
        let deltaLevels = try r.count("deltas", minBytes: 1)
        guard deltaLevels == levelCount else {
            throw r.error("deltas has \(deltaLevels) levels, the forests \(levelCount)")
        }
        for l in 0..<levelCount {
            let n = try r.count("deltas level \(l)", minBytes: 8)
            guard n == levels[l].anchors.count else {
                throw r.error("deltas level \(l) has \(n) pixels, anchor_idx \(levels[l].anchors.count)")
            }
            levels[l].deltas.reserveCapacity(n)
            for i in 0..<n {
                let x = try r.finiteFloat("deltas level \(l) pixel \(i) x"), y = try r.finiteFloat("deltas level \(l) pixel \(i) y")
                levels[l].deltas.append(SIMD2(x, y))
            }
            let features = Int32(n)
            if let bad = levels[l].idx1.indices.first(where: { levels[l].idx1[$0] >= features || levels[l].idx2[$0] >= features }) {
                throw r.error("level \(l) split \(bad) compares feature pixels \(levels[l].idx1[bad]) and \(levels[l].idx2[bad]); the level has \(n)")
            }
        }
        try r.expectEnd("shape predictor")
        self.levels = levels
    }
}
