import Foundation
import Testing
@testable import FaceScan

/// SIMD kernels against their scalar references over sweeps of sizes below, at and above the tiles,
/// with channel tails and odd spatial sizes. Outputs are pre-filled with NaN so unwritten elements show.
@Suite("NeuralNet kernels: SIMD vs scalar")
struct NeuralNetKernelTests {
    /// An aligned buffer filled with deterministic noise.
    static func buffer(_ count: Int, seed: UInt32) -> AlignedBuffer {
        AlignedBuffer(NeuralNetTestSupport.noise(count, seed: seed))
    }

    static func nanBuffer(_ count: Int) -> AlignedBuffer {
        let b = AlignedBuffer(count: count)
        b.pointer.update(repeating: .nan, count: count)
        return b
    }

    /// Max |a − b| over `count` floats (infinity if either has a NaN where the other does not).
    static func maxDiff(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        var m: Float = 0
        for i in 0..<count {
            if a[i].isNaN != b[i].isNaN { return .infinity }
            if !a[i].isNaN { m = max(m, abs(a[i] - b[i])) }
        }
        return m
    }

    @Test("GEMM micro-kernels, every tile size, clamp / residual / PReLU epilogues")
    func gemm() {
        var cases = 0
        for m in [1, 2, 5, 6, 7, 8, 9, 13, 17] {
            for n in [1, 2, 8, 12, 16, 17, 24, 28, 33, 48, 49, 64, 65, 88, 96, 130] {
                for k in [1, 3, 24, 27] {
                    let mode = (m + n + k) % 4  // 0 plain, 1 relu6, 2 residual (narrower), 3 PReLU
                    let lda = k + 3, ldc = n + 5
                    let a = Self.buffer(m * lda, seed: UInt32(m * 1000 + k))
                    let w = NeuralNetTestSupport.noise(n * k, seed: UInt32(n * 31 + k))
                    let bias = NeuralNetTestSupport.noise(n, seed: UInt32(n + 7))
                    let rc = mode == 2 ? max(1, n - 5) : 0
                    let res = Self.buffer(m * max(rc, 1), seed: 99)
                    let slopes = Self.buffer((n + 15) / 16 * 16, seed: 5)
                    let (lo, hi): (Float, Float) = mode == 1 ? (0, 6) : (-.infinity, .infinity)
                    let packed = PackedGEMM(k: k, n: n, weightsNK: w, bias: bias)
                    let c = Self.nanBuffer(m * ldc), ref = Self.nanBuffer(m * ldc)
                    packed.multiply(rows: 0..<m, a: a.pointer, lda: lda, c: c.pointer, ldc: ldc, lo: lo, hi: hi,
                                    residual: mode == 2 ? UnsafePointer(res.pointer) : nil, ldr: rc,
                                    residualChannels: rc, slopes: mode == 3 ? UnsafePointer(slopes.pointer) : nil)
                    gemmReference(m: m, n: n, k: k, a: a.pointer, lda: lda, weightsNK: w, bias: bias, c: ref.pointer,
                                  ldc: ldc, lo: lo, hi: hi, residual: mode == 2 ? UnsafePointer(res.pointer) : nil,
                                  ldr: rc, residualChannels: rc, slopes: mode == 3 ? UnsafePointer(slopes.pointer) : nil)
                    let d = Self.maxDiff(c.pointer, ref.pointer, m * ldc)
                    #expect(d <= 1e-5, "GEMM m=\(m) n=\(n) k=\(k) mode=\(mode): max |Δ| \(d)")
                    cases += 1
                }
            }
        }
        #expect(cases == 9 * 16 * 4)
    }

    /// Convolution through the engine's step (im2col + GEMM, or direct 1×1) against the direct scalar one.
    @Test("CONV_2D: 1×1, 2×2, 3×3, 5×5, 7×7; strides 1–3; SAME / VALID / explicit; odd sizes; channel tails")
    func convolution() throws {
        let configs: [(k: Int, s: Int, p: Padding)] = [
            (1, 1, .valid), (1, 2, .same), (2, 2, .valid), (2, 1, .valid), (3, 1, .same), (3, 2, .same),
            (3, 3, .valid), (3, 2, .explicit(top: 1, left: 1, bottom: 1, right: 1)), (5, 2, .same), (7, 2, .valid),
        ]
        for (k, s, p) in configs {
            for (h, w) in [(7, 9), (8, 8), (13, 5)] where h >= k && w >= k {
                for (cin, cout) in [(3, 17), (16, 24), (17, 64), (5, 88)] {
                    let (win, oh, ow) = try Window.resolve(inH: h, inW: w, kernelH: k, kernelW: k, strideH: s,
                                                           strideW: s, padding: p)
                    let g = ConvGeometry(inH: h, inW: w, inC: cin, outH: oh, outW: ow, window: win)
                    let x = Self.buffer(h * w * cin, seed: UInt32(h * w + cin))
                    let weights = NeuralNetTestSupport.noise(cout * k * k * cin, seed: UInt32(cout + k))
                    let bias = NeuralNetTestSupport.noise(cout, seed: 3)
                    let params = Conv2DParams(window: win, inChannels: cin, outChannels: cout, weights: weights, bias: bias)
                    let out = Self.nanBuffer(oh * ow * cout), ref = Self.nanBuffer(oh * ow * cout)
                    for threads in [1, 2] {
                        let step = ConvolutionStep(params, geometry: g, input: x.pointer, output: out.pointer,
                                                   epilogue: BoundEpilogue(activation: .relu, residual: nil, residualChannels: 0))
                        step.run(threads: threads)
                        conv2DReference(g, input: x.pointer, weights: weights, bias: bias, outC: cout, output: ref.pointer,
                                        lo: 0, hi: .infinity)
                        let d = Self.maxDiff(out.pointer, ref.pointer, oh * ow * cout)
                        #expect(d <= 1e-4, "conv k=\(k) s=\(s) \(p) \(h)×\(w)×\(cin)→\(cout) threads=\(threads): \(d)")
                    }
                }
            }
        }
    }

    @Test("DEPTHWISE_CONV_2D 3×3 (and 5×5): strides 1/2, SAME / VALID / explicit, channel tails, tiny maps")
    func depthwise() throws {
        let pads: [Padding] = [.same, .valid, .explicit(top: 1, left: 1, bottom: 1, right: 1),
                               .explicit(top: 0, left: 1, bottom: 2, right: 0)]
        for k in [3, 5] {
            for s in [1, 2] {
                for p in pads {
                    for (h, w) in [(1, 1), (2, 3), (3, 3), (5, 8), (9, 7), (16, 16)] {
                        for c in [1, 4, 8, 12, 16, 17, 24, 33, 64] {
                            guard let (win, oh, ow) = try? Window.resolve(inH: h, inW: w, kernelH: k, kernelW: k,
                                                                          strideH: s, strideW: s, padding: p) else { continue }
                            let g = ConvGeometry(inH: h, inW: w, inC: c, outH: oh, outW: ow, window: win)
                            let x = Self.buffer(h * w * c, seed: UInt32(h * 100 + w * 10 + c))
                            let weights = NeuralNetTestSupport.noise(k * k * c, seed: UInt32(c))
                            let bias = NeuralNetTestSupport.noise(c, seed: 11)
                            let zero = AlignedBuffer(count: h * w * c)
                            let out = Self.nanBuffer(oh * ow * c), ref = Self.nanBuffer(oh * ow * c)
                            let params = DepthwiseParams(window: win, channels: c, weights: weights, bias: bias)
                            let step = DepthwiseStep(params, geometry: g, input: x.pointer, output: out.pointer,
                                                     zeroRow: zero.pointer,
                                                     epilogue: BoundEpilogue(activation: .relu6, residual: nil, residualChannels: 0))
                            step.run(threads: 1)
                            depthwiseConvReference(g, input: x.pointer, weights: weights, bias: bias, output: ref.pointer,
                                                   lo: 0, hi: 6)
                            let d = Self.maxDiff(out.pointer, ref.pointer, oh * ow * c)
                            #expect(d <= 1e-5, "depthwise k=\(k) s=\(s) \(p) \(h)×\(w)×\(c): \(d)")
                        }
                    }
                }
            }
        }
    }

    @Test("MAX_POOL_2D / AVERAGE_POOL_2D: 2×2 s2 SAME and VALID, 3×3 s2, odd sizes, channel tails")
    func pooling() throws {
        for kind in [PoolKind.max, .average] {
            for (k, s, p) in [(2, 2, Padding.same), (2, 2, .valid), (3, 2, .valid), (3, 2, .same), (3, 1, .same)] {
                for (h, w) in [(2, 2), (5, 7), (8, 8), (13, 6)] {
                    for c in [1, 8, 16, 28, 42] {
                        guard let (win, oh, ow) = try? Window.resolve(inH: h, inW: w, kernelH: k, kernelW: k, strideH: s,
                                                                      strideW: s, padding: p) else { continue }
                        let g = ConvGeometry(inH: h, inW: w, inC: c, outH: oh, outW: ow, window: win)
                        let x = Self.buffer(h * w * c, seed: UInt32(c * 3 + h))
                        let out = Self.nanBuffer(oh * ow * c), ref = Self.nanBuffer(oh * ow * c)
                        pool2D(kind, g, input: x.pointer, output: out.pointer, rows: 0..<oh, lo: -.infinity, hi: .infinity)
                        pool2DReference(kind, g, input: x.pointer, output: ref.pointer)
                        let d = Self.maxDiff(out.pointer, ref.pointer, oh * ow * c)
                        #expect(d <= 1e-6, "\(kind) k=\(k) s=\(s) \(p) \(h)×\(w)×\(c): \(d)")
                    }
                }
            }
        }
    }

    @Test("ADD / RELU / PRELU epilogue: narrower residual, channel tails, in place")
    func epilogue() {
        for c in [1, 3, 8, 16, 17, 28, 64, 88] {
            for rc in Set([0, 1, c / 2, c]) {
                for act in [Activation.none, .relu, .relu6, .prelu(NeuralNetTestSupport.noise(c, seed: 4))] {
                    let rows = 7
                    let src = Self.buffer(rows * c, seed: UInt32(c)), res = Self.buffer(rows * max(rc, 1), seed: 8)
                    let e = BoundEpilogue(activation: act, residual: rc > 0 ? UnsafePointer(res.pointer) : nil,
                                          residualChannels: rc)
                    let out = Self.nanBuffer(rows * c), ref = Self.nanBuffer(rows * c)
                    epilogueRows(src: src.pointer, out: out.pointer, rows: 0..<rows, channels: c, spec: e.spec)
                    epilogueRowsReference(src: src.pointer, out: ref.pointer, rows: 0..<rows, channels: c, spec: e.spec)
                    #expect(Self.maxDiff(out.pointer, ref.pointer, rows * c) == 0, "epilogue c=\(c) rc=\(rc) \(act)")
                    // In place.
                    epilogueRows(src: src.pointer, out: src.pointer, rows: 0..<rows, channels: c, spec: e.spec)
                    #expect(Self.maxDiff(src.pointer, ref.pointer, rows * c) == 0, "in-place epilogue c=\(c)")
                }
            }
        }
    }

    @Test("RESIZE_BILINEAR half-pixel and align-corners against the TFLite formula")
    func resize() {
        for (ih, iw, oh, ow) in [(6, 6, 12, 12), (3, 5, 7, 4), (1, 1, 3, 3), (24, 24, 48, 48)] {
            for c in [1, 5, 16, 48] {
                for (align, half) in [(false, true), (false, false), (true, false)] {
                    let x = Self.buffer(ih * iw * c, seed: UInt32(c + ih))
                    let out = Self.nanBuffer(oh * ow * c)
                    resizeBilinear(input: x.pointer, inH: ih, inW: iw, channels: c, output: out.pointer, outH: oh, outW: ow,
                                   alignCorners: align, halfPixel: half, rows: 0..<oh)
                    var worst: Float = 0
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            let sy = Self.source(oy, ih, oh, align, half), sx = Self.source(ox, iw, ow, align, half)
                            for ch in 0..<c {
                                func at(_ y: Int, _ xx: Int) -> Double { Double(x.pointer[(y * iw + xx) * c + ch]) }
                                let top = at(sy.0, sx.0) * (1 - sx.2) + at(sy.0, sx.1) * sx.2
                                let bottom = at(sy.1, sx.0) * (1 - sx.2) + at(sy.1, sx.1) * sx.2
                                let expected = top * (1 - sy.2) + bottom * sy.2
                                worst = max(worst, Float(abs(Double(out.pointer[(oy * ow + ox) * c + ch]) - expected)))
                            }
                        }
                    }
                    #expect(worst <= 1e-5, "resize \(ih)×\(iw)→\(oh)×\(ow)×\(c) align=\(align) half=\(half): \(worst)")
                }
            }
        }
    }

    /// TFLite's source coordinate in double precision.
    static func source(_ i: Int, _ n: Int, _ out: Int, _ align: Bool, _ half: Bool) -> (Int, Int, Double) {
        let scale = align && out > 1 ? Double(n - 1) / Double(out - 1) : Double(n) / Double(out)
        let v = half ? (Double(i) + 0.5) * scale - 0.5 : Double(i) * scale
        let lo = max(Int(v.rounded(.down)), 0), hi = min(Int(v.rounded(.up)), n - 1)
        return (min(lo, n - 1), hi, v - Double(lo))
    }

    @Test("PAD, CONCATENATION, DEPTH_TO_SPACE move every element where the definition says")
    func layout() {
        // PAD (channel and spatial).
        let shape = [1, 3, 4, 5], before = [0, 1, 0, 0], after = [0, 2, 1, 3]
        let x = Self.buffer(60, seed: 1)
        let o = (0..<4).map { shape[$0] + before[$0] + after[$0] }
        let out = Self.nanBuffer(o.reduce(1, *))
        padTensor(input: x.pointer, inShape: shape, before: before, after: after, output: out.pointer)
        var ok = true
        for h in 0..<o[1] { for w in 0..<o[2] { for c in 0..<o[3] {
            let ih = h - before[1], iw = w - before[2], ic = c - before[3]
            let inside = ih >= 0 && ih < 3 && iw >= 0 && iw < 4 && ic >= 0 && ic < 5
            let expected: Float = inside ? x.pointer[(ih * 4 + iw) * 5 + ic] : 0
            ok = ok && out.pointer[(h * o[2] + w) * o[3] + c] == expected
        } } }
        #expect(ok, "pad")
        // CONCATENATION along axis 1 of [1,3,2] and [1,4,2].
        let a = Self.buffer(6, seed: 2), b = Self.buffer(8, seed: 3), cat = Self.nanBuffer(14)
        concatenate(inputs: [(UnsafePointer(a.pointer), [1, 3, 2]), (UnsafePointer(b.pointer), [1, 4, 2])], axis: 1,
                    output: cat.pointer)
        #expect(Array(cat.buffer) == Array(a.buffer) + Array(b.buffer))
        // DEPTH_TO_SPACE block 2 of [1, 3, 2, 8] → [1, 6, 4, 2].
        let d = Self.buffer(48, seed: 4), s = Self.nanBuffer(48)
        depthToSpace(input: d.pointer, inH: 3, inW: 2, inC: 8, block: 2, output: s.pointer)
        ok = true
        for y in 0..<6 { for xx in 0..<4 { for c in 0..<2 {
            let src = ((y / 2) * 2 + xx / 2) * 8 + ((y % 2) * 2 + xx % 2) * 2 + c
            ok = ok && s.pointer[(y * 4 + xx) * 2 + c] == d.pointer[src]
        } } }
        #expect(ok, "depth to space")
    }

    @Test("float16 expansion is exact, including subnormals, infinities and NaN")
    func half() {
        #expect(floatFromHalf(0x3C00) == 1)
        #expect(floatFromHalf(0xC000) == -2)
        #expect(floatFromHalf(0x0001) == 0x1p-24)
        #expect(floatFromHalf(0x03FF) == Float(0x3FF) * 0x1p-24)
        #expect(floatFromHalf(0x7BFF) == 65504)
        #expect(floatFromHalf(0x7C00) == .infinity)
        #expect(floatFromHalf(0xFC00) == -.infinity)
        #expect(floatFromHalf(0x7E00).isNaN)
        #expect(floatFromHalf(0x8000).sign == .minus && floatFromHalf(0x8000) == 0)
        for bits in stride(from: UInt16(0), to: 0x7C00, by: 37) {
            #expect(floatFromHalf(bits) == Float(Float16(bitPattern: bits)))
        }
    }
}
