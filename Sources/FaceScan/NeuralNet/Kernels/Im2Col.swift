/// Geometry of a convolution over an NHWC input of batch 1.
struct ConvGeometry {
    var inH: Int, inW: Int, inC: Int
    var outH: Int, outW: Int
    var window: Window

    /// Depth of one im2col row: kernelH · kernelW · inC, ordered (ky, kx, c) like OHWI filters.
    var patchSize: Int { window.kernelH * window.kernelW * inC }
}

/// Writes the im2col rows of output pixels `pixels` (row-major over outH × outW) into `dst`, one row
/// of `g.patchSize` floats per pixel; taps outside the input are zero.
func im2col(_ g: ConvGeometry, input: UnsafePointer<Float>, pixels: Range<Int>, dst: UnsafeMutablePointer<Float>) {
    let w = g.window, c = g.inC, rowLen = w.kernelW * c
    var d = dst
    for m in pixels {
        let oy = m / g.outW, ox = m % g.outW
        let iy0 = oy * w.strideH - w.padTop, ix0 = ox * w.strideW - w.padLeft
        let fullRow = ix0 >= 0 && ix0 + w.kernelW <= g.inW
        for ky in 0..<w.kernelH {
            let iy = iy0 + ky
            if iy < 0 || iy >= g.inH {
                d.update(repeating: 0, count: rowLen)
            } else if fullRow {
                d.update(from: input + (iy * g.inW + ix0) * c, count: rowLen)
            } else {
                for kx in 0..<w.kernelW {
                    let ix = ix0 + kx
                    if ix < 0 || ix >= g.inW {
                        (d + kx * c).update(repeating: 0, count: c)
                    } else {
                        (d + kx * c).update(from: input + (iy * g.inW + ix) * c, count: c)
                    }
                }
            }
            d += rowLen
        }
    }
}

/// Direct scalar convolution (OHWI weights): the reference for tests.
func conv2DReference(_ g: ConvGeometry, input: UnsafePointer<Float>, weights: [Float], bias: [Float], outC: Int,
                     output: UnsafeMutablePointer<Float>, lo: Float, hi: Float) {
    let w = g.window
    for oy in 0..<g.outH {
        for ox in 0..<g.outW {
            for o in 0..<outC {
                var acc = bias[o]
                for ky in 0..<w.kernelH {
                    let iy = oy * w.strideH - w.padTop + ky
                    if iy < 0 || iy >= g.inH { continue }
                    for kx in 0..<w.kernelW {
                        let ix = ox * w.strideW - w.padLeft + kx
                        if ix < 0 || ix >= g.inW { continue }
                        for c in 0..<g.inC {
                            acc = acc.addingProduct(input[(iy * g.inW + ix) * g.inC + c],
                                                    weights[((o * w.kernelH + ky) * w.kernelW + kx) * g.inC + c])
                        }
                    }
                }
                output[(oy * g.outW + ox) * outC + o] = min(max(acc, lo), hi)
            }
        }
    }
}
