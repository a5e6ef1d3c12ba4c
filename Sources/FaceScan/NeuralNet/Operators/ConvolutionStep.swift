/// CONV_2D: 1×1 stride-1 unpadded convolutions multiply the NHWC input directly (it is the A matrix);
/// the others build im2col rows for a block of output pixels in per-thread scratch first. The residual,
/// clamp or PReLU are applied by the micro-kernels before they store.
final class ConvolutionStep: Step {
    let geometry: ConvGeometry
    let outChannels: Int
    let packed: PackedGEMM
    let input: UnsafePointer<Float>
    let output: UnsafeMutablePointer<Float>
    let epilogue: BoundEpilogue
    let direct: Bool
    let blockRows: Int
    private var scratch: ScratchBuffers

    init(_ p: Conv2DParams, geometry: ConvGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
         epilogue: BoundEpilogue) {
        self.geometry = geometry
        outChannels = p.outChannels
        let k = geometry.patchSize
        packed = PackedGEMM(k: k, n: p.outChannels, weightsNK: p.weights, bias: p.bias)
        self.input = input
        self.output = output
        self.epilogue = epilogue
        let w = p.window
        direct = w.kernelH == 1 && w.kernelW == 1 && w.strideH == 1 && w.strideW == 1 &&
            w.padTop == 0 && w.padLeft == 0 && w.padBottom == 0 && w.padRight == 0
        blockRows = max(24, min(240, (8192 / k) / 24 * 24))
        scratch = ScratchBuffers(size: direct ? 0 : blockRows * k + im2colSlack)
    }

    func run(threads: Int) {
        let g = geometry, m = g.outH * g.outW, k = g.patchSize, n = outChannels
        let t = Parallel.threads(threads, work: m * k * n, minimum: 400_000)
        if !direct { scratch.reserve(t) }
        Parallel.forChunks(m, grain: blockRows, threads: t) { chunk, range in
            var m0 = range.lowerBound
            while m0 < range.upperBound {
                let m1 = min(m0 + blockRows, range.upperBound)
                let e = epilogue.spec
                if direct {
                    packed.multiply(rows: m0..<m1, a: input, lda: k, c: output, ldc: n, lo: epilogue.lo,
                                    hi: epilogue.hi, residual: e.residual, ldr: e.residualChannels,
                                    residualChannels: e.residualChannels, slopes: e.slopes)
                } else {
                    let a = scratch.pointer(chunk)
                    im2col(g, input: input, pixels: m0..<m1, dst: a)
                    packed.multiply(rows: 0..<(m1 - m0), a: a, lda: k, c: output + m0 * n, ldc: n, lo: epilogue.lo,
                                    hi: epilogue.hi, residual: e.residual.map { $0 + m0 * e.residualChannels },
                                    ldr: e.residualChannels, residualChannels: e.residualChannels, slopes: e.slopes)
                }
                m0 = m1
            }
        }
    }
}

/// DEPTHWISE_CONV_2D (multiplier 1), split by output rows.
final class DepthwiseStep: Step {
    let geometry: ConvGeometry
    let packed: AlignedBuffer
    let input: UnsafePointer<Float>
    let output: UnsafeMutablePointer<Float>
    let zeroRow: UnsafePointer<Float>
    let epilogue: BoundEpilogue
    let is3x3: Bool

    init(_ p: DepthwiseParams, geometry: ConvGeometry, input: UnsafePointer<Float>,
         output: UnsafeMutablePointer<Float>, zeroRow: UnsafePointer<Float>, epilogue: BoundEpilogue) {
        self.geometry = geometry
        packed = packDepthwise(kernelH: p.window.kernelH, kernelW: p.window.kernelW, channels: p.channels,
                               weights: p.weights, bias: p.bias)
        self.input = input
        self.output = output
        self.zeroRow = zeroRow
        self.epilogue = epilogue
        is3x3 = p.window.kernelH == 3 && p.window.kernelW == 3
    }

    func run(threads: Int) {
        let g = geometry
        let work = g.outH * g.outW * g.inC * g.window.kernelH * g.window.kernelW
        let t = Parallel.threads(threads, work: work, minimum: 200_000)
        let w = UnsafePointer(packed.pointer)
        Parallel.forChunks(g.outH, threads: t) { _, rows in
            for oy in rows {
                if is3x3 {
                    depthwiseConv3x3(g, input: input, packed: w, zeroRow: zeroRow, output: output, rows: oy..<(oy + 1),
                                     lo: epilogue.kernelLo, hi: epilogue.kernelHi)
                } else {
                    depthwiseConvGeneric(g, input: input, packed: w, output: output, rows: oy..<(oy + 1),
                                         lo: epilogue.kernelLo, hi: epilogue.kernelHi)
                }
                if !epilogue.done {
                    epilogueRows(src: output, out: output, rows: (oy * g.outW)..<((oy + 1) * g.outW),
                                 channels: g.inC, spec: epilogue.spec)
                }
            }
        }
    }
}
