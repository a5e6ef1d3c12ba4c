import SIMDFMA

/// What follows a convolution or an ADD, per output element: an optional residual added (with fewer
/// channels allowed: missing ones count as zero), then a clamp `[lo, hi]` (none/ReLU/ReLU6) or a PReLU.
struct EpilogueSpec {
    var residual: UnsafePointer<Float>? = nil
    var residualChannels: Int = 0
    var lo: Float = -.infinity
    var hi: Float = .infinity
    /// Per-channel PReLU slopes (padded to a multiple of 16 floats), or nil.
    var slopes: UnsafePointer<Float>? = nil

    /// True when the kernel's own clamp is all there is to do.
    var clampOnly: Bool { residual == nil && slopes == nil }
}

/// `out[r][c] = act(src[r][c] + residual[r][c])` for pixels `rows` of `channels` channels each, where
/// `residual` rows have `spec.residualChannels` channels (`r` indexes src, out and residual alike).
/// `src` may equal `out` (in place).
func epilogueRows(src: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, rows: Range<Int>, channels: Int,
                  spec: EpilogueSpec) {
    let vlo = F16(repeating: spec.lo), vhi = F16(repeating: spec.hi)
    let rc = spec.residualChannels
    for r in rows {
        let s = src + r * channels, o = out + r * channels
        let res = spec.residual.map { $0 + r * rc }
        var c = 0
        while c < channels {
            let n = min(16, channels - c)
            var v = load16(s + c)
            if let res, c < rc {
                let m = rc - c
                v += m >= 16 ? load16(res + c) : loadMasked16(res + c, m)
            }
            if let sl = spec.slopes {
                v = prelu16(v, load16(sl + c))
            } else {
                v = min16(max16(v, vlo), vhi)
            }
            storeColumnVector(v, o + c, n)
            c += 16
        }
    }
}

/// Same as `epilogueRows` with scalar code: the reference for tests.
func epilogueRowsReference(src: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, rows: Range<Int>,
                           channels: Int, spec: EpilogueSpec) {
    for r in rows {
        for c in 0..<channels {
            var v = src[r * channels + c]
            if let res = spec.residual, c < spec.residualChannels { v += res[r * spec.residualChannels + c] }
            if let sl = spec.slopes {
                v = v >= 0 ? v : v * sl[c]
            } else {
                v = min(max(v, spec.lo), spec.hi)
            }
            out[r * channels + c] = v
        }
    }
}
