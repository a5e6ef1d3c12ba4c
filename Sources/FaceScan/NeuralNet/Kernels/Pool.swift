import SIMDFMA

/// Max or average pooling, output rows `rows`, SIMD16 over channels. Taps outside the input are skipped
/// (max ignores them; average divides by the number of taps inside, as TFLite does). The result is then
/// clamped to `[lo, hi]`.
func pool2D(_ kind: PoolKind, _ g: ConvGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
            rows: Range<Int>, lo: Float, hi: Float) {
    let w = g.window, C = g.inC
    let vlo = F16(repeating: lo), vhi = F16(repeating: hi)
    for oy in rows {
        let iy0 = oy * w.strideH - w.padTop
        let y0 = max(iy0, 0), y1 = min(iy0 + w.kernelH, g.inH)
        for ox in 0..<g.outW {
            let ix0 = ox * w.strideW - w.padLeft
            let x0 = max(ix0, 0), x1 = min(ix0 + w.kernelW, g.inW)
            let out = output + (oy * g.outW + ox) * C
            let count = max((y1 - y0) * (x1 - x0), 1)
            var c = 0
            while c < C {
                var acc = kind == .max ? F16(repeating: -.infinity) : F16()
                for iy in y0..<y1 {
                    for ix in x0..<x1 {
                        let v = load16(input + (iy * g.inW + ix) * C + c)
                        acc = kind == .max ? max16(acc, v) : acc + v
                    }
                }
                if kind == .average { acc /= F16(repeating: Float(count)) }
                storeColumnVector(min16(max16(acc, vlo), vhi), out + c, min(16, C - c))
                c += 16
            }
        }
    }
}

/// Scalar pooling: the reference for tests.
func pool2DReference(_ kind: PoolKind, _ g: ConvGeometry, input: UnsafePointer<Float>,
                     output: UnsafeMutablePointer<Float>) {
    let w = g.window, C = g.inC
    for oy in 0..<g.outH {
        for ox in 0..<g.outW {
            for c in 0..<C {
                var acc: Float = kind == .max ? -.infinity : 0
                var n = 0
                for ky in 0..<w.kernelH {
                    for kx in 0..<w.kernelW {
                        let iy = oy * w.strideH - w.padTop + ky, ix = ox * w.strideW - w.padLeft + kx
                        if iy < 0 || iy >= g.inH || ix < 0 || ix >= g.inW { continue }
                        let v = input[(iy * g.inW + ix) * C + c]
                        acc = kind == .max ? max(acc, v) : acc + v
                        n += 1
                    }
                }
                output[(oy * g.outW + ox) * C + c] = kind == .max ? acc : acc / Float(max(n, 1))
            }
        }
    }
}
