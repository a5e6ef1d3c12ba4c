import SIMDFMA

/// Depthwise convolution weights packed per group of 16 channels: the `kh·kw` tap vectors (row-major),
/// then the bias vector; channels past the end are zero.
func packDepthwise(kernelH: Int, kernelW: Int, channels: Int, weights: [Float], bias: [Float]) -> AlignedBuffer {
    let taps = kernelH * kernelW, groups = (channels + 15) / 16, stride = (taps + 1) * 16
    let packed = AlignedBuffer(count: groups * stride)
    for c in 0..<channels {
        let base = (c / 16) * stride + c % 16
        for t in 0..<taps { packed.pointer[base + t * 16] = weights[t * channels + c] }
        packed.pointer[base + taps * 16] = bias[c]
    }
    return packed
}

/// 3×3 depthwise convolution, output rows `rows`, SIMD16 over channels.
///
/// Loop order row → 16-channel group → x with the 9 weight vectors and the bias in registers; input rows
/// above or below the image read `zeroRow` (≥ inW·C + 16 zeros), so only the left/right columns take the
/// checked path. Reads up to 15 floats past the last channel of a pixel (buffers have slack); writes only
/// valid channels. Output = clamp(bias + Σ taps, lo, hi).
func depthwiseConv3x3(_ g: ConvGeometry, input: UnsafePointer<Float>, packed: UnsafePointer<Float>,
                      zeroRow: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, rows: Range<Int>,
                      lo: Float, hi: Float) {
    let C = g.inC, W = g.inW, H = g.inH, outW = g.outW
    let sw = g.window.strideW, sh = g.window.strideH, pl = g.window.padLeft, pt = g.window.padTop
    let groups = (C + 15) / 16
    let oxLo = min(outW, (pl + sw - 1) / sw)
    let oxHi = max(oxLo, W - 3 + pl >= 0 ? min(outW, (W - 3 + pl) / sw + 1) : 0)
    let vlo = F16(repeating: lo), vhi = F16(repeating: hi)
    let step = sw * C
    for oy in rows {
        let iy = oy * sh - pt
        let r0 = iy >= 0 && iy < H ? input + iy * W * C : zeroRow
        let r1 = iy + 1 >= 0 && iy + 1 < H ? input + (iy + 1) * W * C : zeroRow
        let r2 = iy + 2 >= 0 && iy + 2 < H ? input + (iy + 2) * W * C : zeroRow
        let orow = output + oy * outW * C
        for grp in 0..<groups {
            let cg = grp * 16, n = min(16, C - cg)
            let wp = packed + grp * 160
            let w0 = load16(wp), w1 = load16(wp + 16), w2 = load16(wp + 32)
            let w3 = load16(wp + 48), w4 = load16(wp + 64), w5 = load16(wp + 80)
            let w6 = load16(wp + 96), w7 = load16(wp + 112), w8 = load16(wp + 128)
            let bias = load16(wp + 144)
            for ox in 0..<oxLo {
                edge3x3(ox: ox, sw: sw, pl: pl, W: W, C: C, cg: cg, r0: r0, r1: r1, r2: r2, wp: wp, bias: bias,
                        out: orow + ox * C + cg, n: n, vlo: vlo, vhi: vhi)
            }
            if oxLo < oxHi && n <= 8 {
                interior3x3x8(count: oxHi - oxLo, r0: r0, r1: r1, r2: r2, o0: (oxLo * sw - pl) * C + cg, C: C,
                              step: step, out: orow + oxLo * C + cg, n: n,
                              w: (w0.lowHalf, w1.lowHalf, w2.lowHalf, w3.lowHalf, w4.lowHalf, w5.lowHalf, w6.lowHalf,
                                  w7.lowHalf, w8.lowHalf), bias: bias.lowHalf, lo: lo, hi: hi)
            } else if oxLo < oxHi {
                // Three row bases and three column offsets (x, x + C, x + 2C): nine addresses in
                // base+index form, few registers; only the offsets move.
                var o0 = (oxLo * sw - pl) * C + cg, o1 = o0 + C, o2 = o0 + 2 * C
                var o = orow + oxLo * C + cg
                var remaining = oxHi - oxLo
                if sw == 1 && n == 16 {
                    // Two outputs per iteration share the loads of their two common columns.
                    while remaining >= 2 {
                        let o3 = o2 &+ C
                        let x0 = load16(r0 + o0), x1 = load16(r0 + o1), x2 = load16(r0 + o2), x3 = load16(r0 + o3)
                        var a = fma(x0, w0, bias), c = fma(x1, w0, bias)
                        a = fma(x1, w1, a); c = fma(x2, w1, c)
                        a = fma(x2, w2, a); c = fma(x3, w2, c)
                        let y0 = load16(r1 + o0), y1 = load16(r1 + o1), y2 = load16(r1 + o2), y3 = load16(r1 + o3)
                        var b = y0 * w3, d = y1 * w3
                        b = fma(y1, w4, b); d = fma(y2, w4, d)
                        b = fma(y2, w5, b); d = fma(y3, w5, d)
                        let z0 = load16(r2 + o0), z1 = load16(r2 + o1), z2 = load16(r2 + o2), z3 = load16(r2 + o3)
                        a = fma(z0, w6, a); c = fma(z1, w6, c)
                        a = fma(z1, w7, a); c = fma(z2, w7, c)
                        a = fma(z2, w8, a); c = fma(z3, w8, c)
                        store16(min16(max16(a + b, vlo), vhi), o)
                        store16(min16(max16(c + d, vlo), vhi), o + C)
                        o0 &+= 2 * C; o1 &+= 2 * C; o2 &+= 2 * C; o += 2 * C
                        remaining -= 2
                    }
                }
                for _ in 0..<remaining {
                    var a = fma(load16(r0 + o0), w0, bias)
                    var b = load16(r0 + o1) * w1
                    a = fma(load16(r0 + o2), w2, a)
                    b = fma(load16(r1 + o0), w3, b)
                    a = fma(load16(r1 + o1), w4, a)
                    b = fma(load16(r1 + o2), w5, b)
                    a = fma(load16(r2 + o0), w6, a)
                    b = fma(load16(r2 + o1), w7, b)
                    a = fma(load16(r2 + o2), w8, a)
                    let v = min16(max16(a + b, vlo), vhi)
                    if n == 16 { store16(v, o) } else { storePartial16(v, o, n) }
                    o0 &+= step; o1 &+= step; o2 &+= step; o += C
                }
            }
            for ox in oxHi..<outW {
                edge3x3(ox: ox, sw: sw, pl: pl, W: W, C: C, cg: cg, r0: r0, r1: r1, r2: r2, wp: wp, bias: bias,
                        out: orow + ox * C + cg, n: n, vlo: vlo, vhi: vhi)
            }
        }
    }
}

/// The interior of one output row for a group of at most 8 channels, with SIMD8 vectors (half the
/// work of SIMD16 when only 8 lanes are useful).
@inline(__always)
private func interior3x3x8(count: Int, r0: UnsafePointer<Float>, r1: UnsafePointer<Float>, r2: UnsafePointer<Float>,
                           o0 start: Int, C: Int, step: Int, out: UnsafeMutablePointer<Float>, n: Int,
                           w: (F8, F8, F8, F8, F8, F8, F8, F8, F8), bias: F8, lo: Float, hi: Float) {
    let vlo = F8(repeating: lo), vhi = F8(repeating: hi)
    var o0 = start, o1 = start + C, o2 = start + 2 * C
    var o = out
    for _ in 0..<count {
        var a = fma(load8(r0 + o0), w.0, bias)
        var b = load8(r0 + o1) * w.1
        a = fma(load8(r0 + o2), w.2, a)
        b = fma(load8(r1 + o0), w.3, b)
        a = fma(load8(r1 + o1), w.4, a)
        b = fma(load8(r1 + o2), w.5, b)
        a = fma(load8(r2 + o0), w.6, a)
        b = fma(load8(r2 + o1), w.7, b)
        a = fma(load8(r2 + o2), w.8, a)
        var v = a + b
        for i in 0..<8 { v[i] = v[i] > vlo[i] ? v[i] : vlo[i] }
        for i in 0..<8 { v[i] = v[i] < vhi[i] ? v[i] : vhi[i] }
        if n == 8 {
            UnsafeMutableRawPointer(o).storeBytes(of: v, as: F8.self)
        } else {
            storePartial16(F16(lowHalf: v, highHalf: F8()), o, n)
        }
        o0 &+= step; o1 &+= step; o2 &+= step; o += C
    }
}

/// One output vector of a 3×3 depthwise convolution whose window crosses the left or right edge.
@inline(__always)
private func edge3x3(ox: Int, sw: Int, pl: Int, W: Int, C: Int, cg: Int, r0: UnsafePointer<Float>,
                     r1: UnsafePointer<Float>, r2: UnsafePointer<Float>, wp: UnsafePointer<Float>, bias: F16,
                     out: UnsafeMutablePointer<Float>, n: Int, vlo: F16, vhi: F16) {
    var acc = bias
    let ix0 = ox * sw - pl
    for kx in 0..<3 {
        let ix = ix0 + kx
        if ix < 0 || ix >= W { continue }
        let off = ix * C + cg
        acc = fma(load16(r0 + off), load16(wp + kx * 16), acc)
        acc = fma(load16(r1 + off), load16(wp + (3 + kx) * 16), acc)
        acc = fma(load16(r2 + off), load16(wp + (6 + kx) * 16), acc)
    }
    storeColumnVector(min16(max16(acc, vlo), vhi), out, n)
}

/// Depthwise convolution of any window size (SIMD16 over channels, bounds checked per tap); used for
/// windows other than 3×3.
func depthwiseConvGeneric(_ g: ConvGeometry, input: UnsafePointer<Float>, packed: UnsafePointer<Float>,
                          output: UnsafeMutablePointer<Float>, rows: Range<Int>, lo: Float, hi: Float) {
    let w = g.window, C = g.inC, taps = w.kernelH * w.kernelW, groupStride = (taps + 1) * 16
    let vlo = F16(repeating: lo), vhi = F16(repeating: hi)
    for oy in rows {
        for ox in 0..<g.outW {
            for cg in stride(from: 0, to: C, by: 16) {
                let wp = packed + (cg / 16) * groupStride
                var acc = load16(wp + taps * 16)
                for ky in 0..<w.kernelH {
                    let iy = oy * w.strideH - w.padTop + ky
                    if iy < 0 || iy >= g.inH { continue }
                    for kx in 0..<w.kernelW {
                        let ix = ox * w.strideW - w.padLeft + kx
                        if ix < 0 || ix >= g.inW { continue }
                        acc = fma(load16(input + (iy * g.inW + ix) * C + cg), load16(wp + (ky * w.kernelW + kx) * 16), acc)
                    }
                }
                storeColumnVector(min16(max16(acc, vlo), vhi), output + (oy * g.outW + ox) * C + cg, min(16, C - cg))
            }
        }
    }
}

/// Scalar depthwise convolution (weights `[kh, kw, C]`): the reference for tests.
func depthwiseConvReference(_ g: ConvGeometry, input: UnsafePointer<Float>, weights: [Float], bias: [Float],
                            output: UnsafeMutablePointer<Float>, lo: Float, hi: Float) {
    let w = g.window, C = g.inC
    for oy in 0..<g.outH {
        for ox in 0..<g.outW {
            for c in 0..<C {
                var acc = bias[c]
                for ky in 0..<w.kernelH {
                    let iy = oy * w.strideH - w.padTop + ky
                    if iy < 0 || iy >= g.inH { continue }
                    for kx in 0..<w.kernelW {
                        let ix = ox * w.strideW - w.padLeft + kx
                        if ix < 0 || ix >= g.inW { continue }
                        acc = acc.addingProduct(input[(iy * g.inW + ix) * C + c], weights[(ky * w.kernelW + kx) * C + c])
                    }
                }
                output[(oy * g.outW + ox) * C + c] = min(max(acc, lo), hi)
            }
        }
    }
}
