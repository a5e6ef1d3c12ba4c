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
///
/// Copies go by whole SIMD16 vectors: they may read up to 15 floats past a source segment (buffers have
/// slack) and write up to 15 floats past the last row (`dst` needs `im2colSlack` extra floats); each
/// over-write is overwritten by the next segment.
func im2col(_ g: ConvGeometry, input: UnsafePointer<Float>, pixels: Range<Int>, dst: UnsafeMutablePointer<Float>) {
    let w = g.window, c = g.inC, rowLen = w.kernelW * c, inRow = g.inW * c
    var d = dst
    guard !pixels.isEmpty else { return }
    var oy = pixels.lowerBound / g.outW, ox = pixels.lowerBound % g.outW
    for _ in pixels {
        let iy0 = oy * w.strideH - w.padTop, ix0 = ox * w.strideW - w.padLeft
        let fullRow = ix0 >= 0 && ix0 + w.kernelW <= g.inW
        if fullRow && iy0 >= 0 && iy0 + w.kernelH <= g.inH {
            var s = input + iy0 * inRow + ix0 * c
            for _ in 0..<w.kernelH {
                copyVectors(d, s, rowLen)
                s += inRow
                d += rowLen
            }
        } else {
            for ky in 0..<w.kernelH {
                let iy = iy0 + ky
                if iy < 0 || iy >= g.inH {
                    fillZero(d, rowLen)
                } else if fullRow {
                    copyVectors(d, input + iy * inRow + ix0 * c, rowLen)
                } else {
                    for kx in 0..<w.kernelW {
                        let ix = ix0 + kx
                        if ix < 0 || ix >= g.inW {
                            fillZero(d + kx * c, c)
                        } else {
                            copyVectors(d + kx * c, input + iy * inRow + ix * c, c)
                        }
                    }
                }
                d += rowLen
            }
        }
        ox += 1
        if ox == g.outW { ox = 0; oy += 1 }
    }
}

/// Extra floats `im2col` may write past its last row.
let im2colSlack = 16

@inline(__always) private func copyVectors(_ d: UnsafeMutablePointer<Float>, _ s: UnsafePointer<Float>, _ n: Int) {
    var i = 0
    repeat {
        store16(load16(s + i), d + i)
        i += 16
    } while i < n
}

@inline(__always) private func fillZero(_ d: UnsafeMutablePointer<Float>, _ n: Int) {
    var i = 0
    repeat {
        store16(F16(), d + i)
        i += 16
    } while i < n
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
