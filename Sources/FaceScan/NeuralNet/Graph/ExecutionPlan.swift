import Dispatch

/// A graph made executable: values assigned to a few reusable buffers by liveness (a value's buffer is
/// free again after its last reader), RESHAPE outputs sharing their input's buffer, weights packed into
/// steps. Everything is allocated here, once; `run` only computes.
final class ExecutionPlan {
    let graph: Graph
    private(set) var steps: [Step] = []
    /// What each step computes (operation and shapes), for diagnostics.
    private(set) var stepDescriptions: [String] = []
    private var buffers: [AlignedBuffer] = []
    private var pointers: [UnsafeMutablePointer<Float>?]
    private let zeroRow: AlignedBuffer

    /// Largest total of activation buffers accepted (floats).
    static let maxTotalElements = 1 << 26

    /// - Parameter reuseBuffers: false gives every value its own buffer (to inspect intermediates).
    init(graph g: Graph, reuseBuffers: Bool = true) throws {
        graph = g
        let valueCount = g.shapes.count
        // Storage roots: a reshape's output is its input's storage.
        var root = Array(0..<valueCount)
        for n in g.nodes { if case .reshape = n.op { root[n.output] = root[n.inputs[0]] } }
        // Last reader of each root (outputs live forever).
        var lastUse = [Int](repeating: -1, count: valueCount)
        for (i, n) in g.nodes.enumerated() {
            for v in n.inputs + (n.residual.map { [$0] } ?? []) { lastUse[root[v]] = max(lastUse[root[v]], i) }
        }
        for v in g.outputs { lastUse[root[v]] = Int.max }
        // Greedy best-fit assignment of roots to slots, in execution order.
        var slotSize: [Int] = []
        var slotOf = [Int](repeating: -1, count: valueCount)
        var free: [Int] = []
        var live: [Int] = []  // roots holding a slot
        func assign(_ v: Int) {
            let need = g.count(v)
            let fits = free.filter { slotSize[$0] >= need }
            let slot: Int
            if let best = fits.min(by: { slotSize[$0] < slotSize[$1] }) {
                slot = best
            } else if let biggest = free.max(by: { slotSize[$0] < slotSize[$1] }) {
                slot = biggest
                slotSize[slot] = need
            } else {
                slot = slotSize.count
                slotSize.append(need)
            }
            free.removeAll { $0 == slot }
            slotOf[v] = slot
            live.append(v)
        }
        assign(g.input)
        for (i, n) in g.nodes.enumerated() {
            for v in live where lastUse[v] < i && reuseBuffers { free.append(slotOf[v]) }
            live.removeAll { lastUse[$0] < i }
            if case .reshape = n.op { continue }
            assign(n.output)
        }
        guard slotSize.reduce(0, +) <= ExecutionPlan.maxTotalElements else {
            throw GraphError("activations need \(slotSize.reduce(0, +)) floats, more than the limit \(ExecutionPlan.maxTotalElements)")
        }
        let allocated = slotSize.map { AlignedBuffer(count: $0) }
        buffers = allocated
        pointers = (0..<valueCount).map { slotOf[root[$0]] >= 0 ? allocated[slotOf[root[$0]]].pointer : nil }
        var zeroCount = 0
        for n in g.nodes {
            if case .depthwiseConv2D = n.op { zeroCount = max(zeroCount, g.count(n.inputs[0])) }
        }
        zeroRow = AlignedBuffer(count: zeroCount)
        for n in g.nodes {
            guard let s = try makeStep(n) else { continue }
            steps.append(s)
            var d = "\(n.op.name) \(n.inputs.map { g.shapes[$0] }) → \(g.shapes[n.output])"
            if case .conv2D(let p) = n.op { d += " k\(p.window.kernelH)s\(p.window.strideH)" }
            if case .depthwiseConv2D(let p) = n.op { d += " k\(p.window.kernelH)s\(p.window.strideH)" }
            if n.residual != nil { d += " +residual" }
            if n.activation != .none { d += " +act" }
            stepDescriptions.append(d)
        }
    }

    /// Storage of value `v` (valid for the plan's lifetime).
    func pointer(_ v: ValueID) -> UnsafeMutablePointer<Float> { pointers[v]! }

    func run(threads: Int) {
        for s in steps { s.run(threads: threads) }
    }

    /// Runs `runs` times and returns each step's total time in seconds (diagnostics).
    func profile(runs: Int, threads: Int) -> [(String, Double)] {
        var totals = [Double](repeating: 0, count: steps.count)
        for _ in 0..<runs {
            for (i, s) in steps.enumerated() {
                let t0 = DispatchTime.now().uptimeNanoseconds
                s.run(threads: threads)
                totals[i] += Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
            }
        }
        return Array(zip(stepDescriptions, totals))
    }

    private func makeStep(_ n: GraphNode) throws -> Step? {
        let g = graph
        let out = pointer(n.output)
        let x = UnsafePointer(pointer(n.inputs[0]))
        let residual = n.residual.map { UnsafePointer(pointer($0)) }
        let residualChannels = n.residual.map { g.shapes[$0].last ?? 0 } ?? 0
        let epilogue = BoundEpilogue(activation: n.activation, residual: residual, residualChannels: residualChannels)
        func geometry(_ w: Window) throws -> ConvGeometry {
            let i = try g.nhwc(n.inputs[0]), o = try g.nhwc(n.output, "output")
            return ConvGeometry(inH: i.h, inW: i.w, inC: i.c, outH: o.h, outW: o.w, window: w)
        }
        switch n.op {
        case .conv2D(let p):
            return ConvolutionStep(p, geometry: try geometry(p.window), input: x, output: out, epilogue: epilogue)
        case .depthwiseConv2D(let p):
            return DepthwiseStep(p, geometry: try geometry(p.window), input: x, output: out,
                                 zeroRow: UnsafePointer(zeroRow.pointer), epilogue: epilogue)
        case .add:
            let b = UnsafePointer(pointer(n.inputs[1]))
            let e = BoundEpilogue(activation: n.activation, residual: b, residualChannels: g.shapes[n.inputs[1]].last ?? 0)
            return ElementwiseStep(source: x, output: out, shape: g.shapes[n.output], epilogue: e)
        case .activation:
            return ElementwiseStep(source: x, output: out, shape: g.shapes[n.output], epilogue: epilogue)
        case let .pool(kind, w):
            guard let clamp = n.activation.clamp else { throw GraphError("PReLU after pooling is not supported") }
            return PoolStep(kind: kind, geometry: try geometry(w), input: x, output: out, clamp: clamp)
        case let .pad(before, after):
            return PadStep(input: x, output: out, inShape: g.shapes[n.inputs[0]], before: before, after: after)
        case .reshape:
            return nil
        case .concatenation(let axis):
            return ConcatStep(inputs: n.inputs.map { (UnsafePointer(pointer($0)), g.shapes[$0]) }, axis: axis, output: out)
        case let .resizeBilinear(alignCorners, halfPixel):
            let i = try g.nhwc(n.inputs[0]), o = try g.nhwc(n.output, "output")
            return ResizeStep(input: x, output: out, inH: i.h, inW: i.w, c: i.c, outH: o.h, outW: o.w,
                              alignCorners: alignCorners, halfPixel: halfPixel)
        case .depthToSpace(let b):
            let i = try g.nhwc(n.inputs[0])
            return DepthToSpaceStep(input: x, output: out, h: i.h, w: i.w, c: i.c, block: b)
        case .softmax(let beta):
            let s = g.shapes[n.output]
            return SoftmaxStep(input: x, output: out, rows: s.dropLast().reduce(1, *), channels: s.last ?? 1, beta: beta)
        }
    }
}
