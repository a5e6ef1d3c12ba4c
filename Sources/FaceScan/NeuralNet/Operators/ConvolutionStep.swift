/// CONV_2D. 1×1 stride-1 unpadded convolutions multiply the NHWC input directly (it is the A matrix).
/// Other windows are computed output row by output row: where the window lies inside the image, the
/// micro-kernels read A in place (row r of A = `kernelH` runs of `kernelW·C` floats, one per window
/// row: a direct convolution); the few pixels whose window crosses the border go through im2col rows
/// in per-thread scratch. The residual, clamp or PReLU are applied by the micro-kernels before they store.
final class ConvolutionStep: Step {
    let geometry: ConvGeometry
    let outChannels: Int
    let packed: PackedGEMM
    let input: UnsafePointer<Float>
    let output: UnsafeMutablePointer<Float>
    let epilogue: BoundEpilogue
    let direct: Bool
    /// Output columns whose window lies inside the image horizontally.
    let interior: Range<Int>
    private var scratch: ScratchBuffers

    init(_ p: Conv2DParams, geometry g: ConvGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
         epilogue: BoundEpilogue) {
        geometry = g
        outChannels = p.outChannels
        let k = g.patchSize
        packed = PackedGEMM(k: k, n: p.outChannels, weightsNK: p.weights, bias: p.bias)
        self.input = input
        self.output = output
        self.epilogue = epilogue
        let w = p.window
        direct = w.kernelH == 1 && w.kernelW == 1 && w.strideH == 1 && w.strideW == 1 &&
            w.padTop == 0 && w.padLeft == 0 && w.padBottom == 0 && w.padRight == 0
        let lo = min(g.outW, (w.padLeft + w.strideW - 1) / w.strideW)
        let hi = g.inW - w.kernelW + w.padLeft >= 0 ? min(g.outW, (g.inW - w.kernelW + w.padLeft) / w.strideW + 1) : 0
        interior = lo..<max(lo, hi)
        scratch = ScratchBuffers(size: direct ? 0 : g.outW * k + im2colSlack)
    }

    func run(threads: Int) {
        let g = geometry, m = g.outH * g.outW, k = g.patchSize, n = outChannels
        let t = Parallel.threads(threads, work: m * k * n, minimum: 100_000)
        let e = epilogue.spec, rc = e.residualChannels
        if direct {
            let panels = packed.panels.count
            if t > 1 && m < 24 * t && panels >= t {
                // Few rows, several column panels (e.g. 6×6×96 → 384): split the panels.
                Parallel.forChunks(panels, threads: t) { _, range in
                    packed.multiply(rows: 0..<m, a: input, lda: k, c: output, ldc: n, lo: epilogue.lo, hi: epilogue.hi,
                                    residual: e.residual, ldr: rc, residualChannels: rc, slopes: e.slopes,
                                    panelRange: range)
                }
                return
            }
            Parallel.forChunks(m, grain: 24, threads: t) { _, range in
                packed.multiply(rows: range, a: input, lda: k, c: output, ldc: n, lo: epilogue.lo, hi: epilogue.hi,
                                residual: e.residual, ldr: rc, residualChannels: rc, slopes: e.slopes)
            }
            return
        }
        scratch.reserve(t)
        let w = g.window, c = g.inC
        Parallel.forChunks(g.outH, threads: t) { chunk, rows in
            let a = scratch.pointer(chunk)
            /// Output pixels `pixels` through im2col.
            func viaIm2col(_ pixels: Range<Int>) {
                guard !pixels.isEmpty else { return }
                im2col(g, input: input, pixels: pixels, dst: a)
                packed.multiply(rows: 0..<pixels.count, a: a, lda: k, c: output + pixels.lowerBound * n, ldc: n,
                                lo: epilogue.lo, hi: epilogue.hi, residual: e.residual.map { $0 + pixels.lowerBound * rc },
                                ldr: rc, residualChannels: rc, slopes: e.slopes)
            }
            for oy in rows {
                let iy0 = oy * w.strideH - w.padTop, row = oy * g.outW
                guard iy0 >= 0, iy0 + w.kernelH <= g.inH, !interior.isEmpty else {
                    viaIm2col(row..<(row + g.outW))
                    continue
                }
                viaIm2col(row..<(row + interior.lowerBound))
                let first = row + interior.lowerBound
                packed.multiply(rows: 0..<interior.count,
                                a: input + (iy0 * g.inW + interior.lowerBound * w.strideW - w.padLeft) * c,
                                lda: w.strideW * c, c: output + first * n, ldc: n, lo: epilogue.lo, hi: epilogue.hi,
                                residual: e.residual.map { $0 + first * rc }, ldr: rc, residualChannels: rc,
                                slopes: e.slopes, segments: w.kernelH, segStride: g.inW * c)
                viaIm2col((row + interior.upperBound)..<(row + g.outW))
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
        let t = Parallel.threads(threads, work: work, minimum: 50_000)
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
