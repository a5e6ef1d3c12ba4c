import SIMDFMA

/// Data-movement kernels: zero padding, concatenation, depth-to-space, bilinear resize. The first three
/// only copy floats, so they are exact; each has the obvious scalar meaning documented on it.

/// Zero padding of a tensor of rank ≤ 4 (treated as 4-D with leading 1s):
/// `out[i0+b0][i1+b1][i2+b2][i3+b3] = in[i0][i1][i2][i3]`, zero elsewhere.
func padTensor(input: UnsafePointer<Float>, inShape: [Int], before: [Int], after: [Int],
               output: UnsafeMutablePointer<Float>) {
    let lead = 4 - inShape.count
    let s = [Int](repeating: 1, count: lead) + inShape
    let b = [Int](repeating: 0, count: lead) + before
    let a = [Int](repeating: 0, count: lead) + after
    let o = (0..<4).map { s[$0] + b[$0] + a[$0] }
    output.update(repeating: 0, count: o[0] * o[1] * o[2] * o[3])
    for i0 in 0..<s[0] {
        for i1 in 0..<s[1] {
            for i2 in 0..<s[2] {
                let src = input + ((i0 * s[1] + i1) * s[2] + i2) * s[3]
                let dst = output + (((i0 + b[0]) * o[1] + i1 + b[1]) * o[2] + i2 + b[2]) * o[3] + b[3]
                dst.update(from: src, count: s[3])
            }
        }
    }
}

/// Concatenation along `axis`: for each index of the dimensions before `axis`, the inputs' blocks of
/// `shape[axis] · inner` floats follow one another.
func concatenate(inputs: [(UnsafePointer<Float>, [Int])], axis: Int, output: UnsafeMutablePointer<Float>) {
    guard let first = inputs.first?.1 else { return }
    let outer = first[..<axis].reduce(1, *)
    let inner = first[(axis + 1)...].reduce(1, *)
    var dst = output
    for i in 0..<outer {
        for (p, shape) in inputs {
            let n = shape[axis] * inner
            dst.update(from: p + i * n, count: n)
            dst += n
        }
    }
}

/// Depth to space, DCR order: `out[y·b + dy][x·b + dx][c] = in[y][x][(dy·b + dx)·C + c]`.
func depthToSpace(input: UnsafePointer<Float>, inH: Int, inW: Int, inC: Int, block b: Int,
                  output: UnsafeMutablePointer<Float>) {
    let c = inC / (b * b), outW = inW * b
    for y in 0..<inH {
        for x in 0..<inW {
            let src = input + (y * inW + x) * inC
            for dy in 0..<b {
                for dx in 0..<b {
                    let dst = output + ((y * b + dy) * outW + x * b + dx) * c
                    dst.update(from: src + (dy * b + dx) * c, count: c)
                }
            }
        }
    }
}

/// Source coordinate of a bilinear resize, as TFLite computes it: the two neighbours and the weight
/// of the second.
@inline(__always)
func resizeSource(_ i: Int, inSize: Int, outSize: Int, alignCorners: Bool,
                  halfPixel: Bool) -> (lo: Int, hi: Int, frac: Float) {
    let scale: Float = alignCorners && outSize > 1 ? Float(inSize - 1) / Float(outSize - 1)
                                                   : Float(inSize) / Float(outSize)
    let v = halfPixel ? (Float(i) + 0.5) * scale - 0.5 : Float(i) * scale
    let lo = max(Int(v.rounded(.down)), 0)
    let hi = min(Int(v.rounded(.up)), inSize - 1)
    return (min(lo, inSize - 1), hi, v - Float(lo))
}

/// Bilinear resize of output rows `rows` (TFLite `ResizeBilinear` semantics).
func resizeBilinear(input: UnsafePointer<Float>, inH: Int, inW: Int, channels C: Int,
                    output: UnsafeMutablePointer<Float>, outH: Int, outW: Int, alignCorners: Bool,
                    halfPixel: Bool, rows: Range<Int>) {
    for oy in rows {
        let (y0, y1, dy) = resizeSource(oy, inSize: inH, outSize: outH, alignCorners: alignCorners, halfPixel: halfPixel)
        for ox in 0..<outW {
            let (x0, x1, dx) = resizeSource(ox, inSize: inW, outSize: outW, alignCorners: alignCorners,
                                            halfPixel: halfPixel)
            let p00 = input + (y0 * inW + x0) * C, p01 = input + (y0 * inW + x1) * C
            let p10 = input + (y1 * inW + x0) * C, p11 = input + (y1 * inW + x1) * C
            let w00 = (1 - dy) * (1 - dx), w01 = (1 - dy) * dx, w10 = dy * (1 - dx), w11 = dy * dx
            let out = output + (oy * outW + ox) * C
            var c = 0
            while c + 16 <= C {
                var v = load16(p00 + c) * F16(repeating: w00)
                v = fma(load16(p01 + c), F16(repeating: w01), v)
                v = fma(load16(p10 + c), F16(repeating: w10), v)
                v = fma(load16(p11 + c), F16(repeating: w11), v)
                store16(v, out + c)
                c += 16
            }
            while c < C {
                var v = p00[c] * w00
                v = v.addingProduct(p01[c], w01)
                v = v.addingProduct(p10[c], w10)
                out[c] = v.addingProduct(p11[c], w11)
                c += 1
            }
        }
    }
}
