/// Rewrites a graph into an equivalent one with fewer passes over memory. Each rule fires only when the
/// intermediate value it removes has exactly one consumer and is not a graph output:
///
/// 1. spatial zero PAD → VALID convolution / depthwise convolution: the padding moves into the window;
/// 2. channel zero PAD (at the end) → ADD: the narrower operand is added with missing channels as zero;
/// 3. convolution → ADD: the other operand becomes the convolution's residual; the fused node runs where
///    the ADD ran (all its inputs exist there);
/// 4. RELU / RELU6 / PRELU after a convolution, depthwise convolution or ADD: fused as its activation.
///
/// The results equal the unfused graph's up to float rounding of the same operations.
enum GraphOptimizer {
    static func optimize(_ g: Graph) {
        var changed = true
        while changed {
            changed = foldSpatialPads(g) || foldChannelPads(g) || fuseAdds(g) || fuseActivations(g)
        }
    }

    /// Number of reads of each value (inputs, residuals, graph outputs).
    private static func useCounts(_ g: Graph) -> [Int] {
        var uses = [Int](repeating: 0, count: g.shapes.count)
        for n in g.nodes {
            for v in n.inputs { uses[v] += 1 }
            if let r = n.residual { uses[r] += 1 }
        }
        for v in g.outputs { uses[v] += 1 }
        return uses
    }

    private static func producers(_ g: Graph) -> [Int?] {
        var p = [Int?](repeating: nil, count: g.shapes.count)
        for (i, n) in g.nodes.enumerated() { p[n.output] = i }
        return p
    }

    private static func foldSpatialPads(_ g: Graph) -> Bool {
        let uses = useCounts(g)
        let prod = producers(g)
        for (j, node) in g.nodes.enumerated() {
            let x = node.inputs.first ?? -1
            guard x >= 0, uses[x] == 1, let i = prod[x], case let .pad(before, after) = g.nodes[i].op,
                  before.count == 4, before[0] == 0, after[0] == 0, before[3] == 0, after[3] == 0 else { continue }
            var win: Window
            switch node.op {
            case .conv2D(let p): win = p.window
            case .depthwiseConv2D(let p): win = p.window
            default: continue
            }
            win.padTop += before[1]; win.padBottom += after[1]
            win.padLeft += before[2]; win.padRight += after[2]
            guard win.padTop < win.kernelH, win.padBottom < win.kernelH,
                  win.padLeft < win.kernelW, win.padRight < win.kernelW else { continue }
            var n = node
            n.inputs[0] = g.nodes[i].inputs[0]
            switch node.op {
            case .conv2D(var p): p.window = win; n.op = .conv2D(p)
            case .depthwiseConv2D(var p): p.window = win; n.op = .depthwiseConv2D(p)
            default: continue
            }
            g.nodes[j] = n
            g.nodes.remove(at: i)
            return true
        }
        return false
    }

    private static func foldChannelPads(_ g: Graph) -> Bool {
        let uses = useCounts(g)
        let prod = producers(g)
        for (j, node) in g.nodes.enumerated() {
            guard case .add = node.op else { continue }
            for k in 0..<2 {
                let x = node.inputs[k]
                guard uses[x] == 1, let i = prod[x], case let .pad(before, after) = g.nodes[i].op,
                      before.count == 4, before.allSatisfy({ $0 == 0 }), after[0] == 0, after[1] == 0,
                      after[2] == 0 else { continue }
                var n = node
                n.inputs = [node.inputs[1 - k], g.nodes[i].inputs[0]]
                g.nodes[j] = n
                g.nodes.remove(at: i)
                return true
            }
        }
        return false
    }

    private static func fuseAdds(_ g: Graph) -> Bool {
        let uses = useCounts(g)
        let prod = producers(g)
        for (j, node) in g.nodes.enumerated() {
            guard case .add = node.op else { continue }
            for k in 0..<2 {
                let x = node.inputs[k], other = node.inputs[1 - k]
                guard uses[x] == 1, let i = prod[x], g.nodes[i].residual == nil, g.nodes[i].activation == .none,
                      g.shapes[x] == g.shapes[node.output], g.shapes[other].count == 4 else { continue }
                switch g.nodes[i].op {
                case .conv2D, .depthwiseConv2D: break
                default: continue
                }
                var n = g.nodes[i]
                n.residual = other
                n.output = node.output
                n.activation = node.activation
                g.nodes[j] = n
                g.nodes.remove(at: i)
                return true
            }
        }
        return false
    }

    private static func fuseActivations(_ g: Graph) -> Bool {
        let uses = useCounts(g)
        let prod = producers(g)
        for (j, node) in g.nodes.enumerated() {
            guard case .activation = node.op else { continue }
            let x = node.inputs[0]
            guard uses[x] == 1, let i = prod[x], g.nodes[i].activation == .none else { continue }
            switch g.nodes[i].op {
            case .conv2D, .depthwiseConv2D, .add: break
            default: continue
            }
            g.nodes[i].activation = node.activation
            g.nodes[i].output = node.output
            g.nodes.remove(at: j)
            return true
        }
        return false
    }
}
