import Foundation

/// ADD (with a narrower second operand allowed) and standalone activations, through `epilogueRows`.
final class ElementwiseStep: Step {
    let source: UnsafePointer<Float>
    let output: UnsafeMutablePointer<Float>
    let epilogue: BoundEpilogue
    let rows: Int
    let channels: Int

    /// `output = act(source + residual)`; `shape` is the output's, the residual has `residualChannels`
    /// channels (0 for none).
    init(source: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, shape: [Int], epilogue: BoundEpilogue) {
        self.source = source
        self.output = output
        self.epilogue = epilogue
        let c = shape.last ?? 1, total = shape.reduce(1, *)
        let perChannel = epilogue.spec.slopes != nil ||
            (epilogue.spec.residual != nil && epilogue.spec.residualChannels != c)
        // Without per-channel work the tensor is one long row (no channel tails).
        channels = perChannel ? c : total
        rows = perChannel ? total / max(c, 1) : 1
    }

    func run(threads: Int) {
        let t = Parallel.threads(threads, work: rows * channels, minimum: 100_000)
        if rows == 1 {
            let n = channels
            Parallel.forChunks(n, grain: 1024, threads: t) { _, r in
                var spec = epilogue.spec
                spec.residual = spec.residual.map { $0 + r.lowerBound }
                spec.residualChannels = r.count
                epilogueRows(src: source + r.lowerBound, out: output + r.lowerBound, rows: 0..<1, channels: r.count,
                             spec: spec)
            }
        } else {
            Parallel.forChunks(rows, threads: t) { _, r in
                epilogueRows(src: source, out: output, rows: r, channels: channels, spec: epilogue.spec)
            }
        }
    }
}

/// MAX_POOL_2D / AVERAGE_POOL_2D.
final class PoolStep: Step {
    let kind: PoolKind
    let geometry: ConvGeometry
    let input: UnsafePointer<Float>
    let output: UnsafeMutablePointer<Float>
    let lo: Float, hi: Float

    init(kind: PoolKind, geometry: ConvGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
         clamp: (lo: Float, hi: Float)) {
        self.kind = kind
        self.geometry = geometry
        self.input = input
        self.output = output
        lo = clamp.lo
        hi = clamp.hi
    }

    func run(threads: Int) {
        let g = geometry
        let t = Parallel.threads(threads, work: g.outH * g.outW * g.inC * g.window.kernelH * g.window.kernelW,
                                 minimum: 100_000)
        Parallel.forChunks(g.outH, threads: t) { _, rows in
            pool2D(kind, g, input: input, output: output, rows: rows, lo: lo, hi: hi)
        }
    }
}

/// SOFTMAX over the last axis, per row: exp(beta·(x − max)) / Σ, in Double for the sum.
final class SoftmaxStep: Step {
    let input: UnsafePointer<Float>
    let output: UnsafeMutablePointer<Float>
    let rows: Int, channels: Int
    let beta: Float

    init(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, rows: Int, channels: Int, beta: Float) {
        self.input = input
        self.output = output
        self.rows = rows
        self.channels = channels
        self.beta = beta
    }

    func run(threads: Int) {
        for r in 0..<rows {
            let x = input + r * channels, y = output + r * channels
            var top = -Float.infinity
            for c in 0..<channels { top = max(top, x[c]) }
            var sum = 0.0
            for c in 0..<channels {
                let e = Foundation.exp(Double(beta) * Double(x[c] - top))
                y[c] = Float(e)
                sum += e
            }
            for c in 0..<channels { y[c] = Float(Double(y[c]) / sum) }
        }
    }
}
