import SIMDFMA

// GEMM micro-kernels (GEMMKernels-x*.swift, generated) compute MR rows × `cols` outputs
// `C[r][j] = clamp(bias[j] + Σ_p A[r][p]·B[p][j], lo, hi)` for one packed panel of B, with parameters:
// `k` · `segments` depth, row r of A being `segments` runs of `k` floats `segStride` apart starting at
// `a + r·lda` (one run for a plain GEMM; one per window row when A is read in place from an NHWC
// image, a direct convolution); `b` the panel, k-major, NR floats
// per k, zero padded, 64-byte aligned; `bias` NR floats; `c` first output row (rows `ldc` apart);
// `cols` ≤ NR valid columns (only those are written); `res` (optional) a residual added before the clamp,
// rows `ldr` apart, its columns `0..<resCols` (the others count as zero); `slopes` (optional) per-column
// PReLU slopes applied instead of the clamp.

@inline(__always) func storeColumnVector(_ v: F16, _ p: UnsafeMutablePointer<Float>, _ n: Int) {
    if n >= 16 { store16(v, p) } else if n > 0 { storePartial16(v, p, n) }
}

@inline(__always) func storeColumns(_ c: UnsafeMutablePointer<Float>, _ cols: Int, _ v0: F16) {
    storeColumnVector(v0, c, cols)
}

@inline(__always) func storeColumns(_ c: UnsafeMutablePointer<Float>, _ cols: Int, _ v0: F16, _ v1: F16) {
    storeColumnVector(v0, c, cols); storeColumnVector(v1, c + 16, cols - 16)
}

@inline(__always) func storeColumns(_ c: UnsafeMutablePointer<Float>, _ cols: Int, _ v0: F16, _ v1: F16, _ v2: F16) {
    storeColumnVector(v0, c, cols); storeColumnVector(v1, c + 16, cols - 16)
    storeColumnVector(v2, c + 32, cols - 32)
}

@inline(__always) func storeColumns(_ c: UnsafeMutablePointer<Float>, _ cols: Int, _ v0: F16, _ v1: F16, _ v2: F16,
                                    _ v3: F16) {
    storeColumnVector(v0, c, cols); storeColumnVector(v1, c + 16, cols - 16)
    storeColumnVector(v2, c + 32, cols - 32); storeColumnVector(v3, c + 48, cols - 48)
}

/// The matrix B (`k` × `n`) and a bias, packed once into column panels of 16–64 columns for the
/// micro-kernels: per panel, `k` rows of `NR` floats (zero padded past `n`), then `NR` bias floats.
final class PackedGEMM {
    struct Panel {
        /// First column of C.
        let column: Int
        /// SIMD16 vectors per row (NR / 16).
        let vectors: Int
        /// Valid columns (≤ NR).
        let valid: Int
        /// Offset of the panel's B rows, and of its bias, in `storage` (floats).
        let offset: Int
        let biasOffset: Int
    }

    let k: Int
    let n: Int
    let panels: [Panel]
    let storage: AlignedBuffer

    /// Packs `weights` given as `n` rows of `k` (row j = column j of B, as in OHWI conv filters).
    init(k: Int, n: Int, weightsNK: [Float], bias: [Float]) {
        precondition(weightsNK.count == k * n && bias.count == n && k >= 1 && n >= 1)
        self.k = k
        self.n = n
        let full = n <= 64 ? n : (n % 48 == 0 && n % 64 != 0 ? 48 : 64)
        var panels: [Panel] = []
        var column = 0, offset = 0
        while column < n {
            let width = min(full, n - column)
            let vectors = (width + 15) / 16
            let nr = vectors * 16
            panels.append(Panel(column: column, vectors: vectors, valid: width, offset: offset,
                                biasOffset: offset + k * nr))
            offset += (k + 1) * nr
            column += width
        }
        self.panels = panels
        storage = AlignedBuffer(count: offset)
        let s = storage.pointer
        for p in panels {
            let nr = p.vectors * 16
            for j in 0..<p.valid {
                let src = (p.column + j) * k
                for kk in 0..<k { s[p.offset + kk * nr + j] = weightsNK[src + kk] }
                s[p.biasOffset + j] = bias[p.column + j]
            }
        }
    }

    /// Largest number of rows one micro-kernel call handles for `panel`.
    @inline(__always) func maxRows(_ panel: Panel) -> Int { panel.vectors <= 2 ? 8 : 6 }

    /// `C[r][0..<n] = act(bias + A[r]·B + R[r])` for `r` in `rows` (row r of A at `a + r·lda`, of C at
    /// `c + r·ldc`, of the optional residual R at `residual + r·ldr`, which has `residualChannels`
    /// columns, missing ones being zero); `act` is the PReLU with `slopes` (padded to a multiple of 16)
    /// if given, else the clamp `[lo, hi]`. Only columns `0..<n` of C are written.
    ///
    /// With `segments` > 1, row r of A is `segments` runs of `k / segments` floats, `segStride` apart.
    /// `panelRange` limits the work to some column panels (to split small-M products across threads).
    func multiply(rows: Range<Int>, a: UnsafePointer<Float>, lda: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                  lo: Float, hi: Float, residual: UnsafePointer<Float>? = nil, ldr: Int = 0,
                  residualChannels: Int = 0, slopes: UnsafePointer<Float>? = nil, segments: Int = 1,
                  segStride: Int = 0, panelRange: Range<Int>? = nil) {
        let s = UnsafePointer(storage.pointer)
        let run = k / segments
        for p in panels[panelRange ?? panels.indices] {
            let mr = maxRows(p)
            let b = s + p.offset, bias = s + p.biasOffset
            var r = rows.lowerBound
            while r < rows.upperBound {
                let m = min(mr, rows.upperBound - r)
                let ar = a + r * lda, cr = c + r * ldc + p.column
                let rc = residualChannels - p.column
                let rr = rc > 0 ? residual.map { $0 + r * ldr + p.column } : nil
                let sl = slopes.map { $0 + p.column }
                switch p.vectors {
                case 1: gemmX16(rows: m, run, segments, segStride, ar, lda, b, bias, cr, ldc, p.valid, lo, hi, rr, ldr, rc, sl)
                case 2: gemmX32(rows: m, run, segments, segStride, ar, lda, b, bias, cr, ldc, p.valid, lo, hi, rr, ldr, rc, sl)
                case 3: gemmX48(rows: m, run, segments, segStride, ar, lda, b, bias, cr, ldc, p.valid, lo, hi, rr, ldr, rc, sl)
                default: gemmX64(rows: m, run, segments, segStride, ar, lda, b, bias, cr, ldc, p.valid, lo, hi, rr, ldr, rc, sl)
                }
                r += m
            }
        }
    }
}

/// Scalar reference of `PackedGEMM.multiply`, same accumulation order (bias, then p = 0..<k with fused
/// multiply-adds, then the residual), used by the tests.
func gemmReference(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, weightsNK: [Float], bias: [Float],
                   c: UnsafeMutablePointer<Float>, ldc: Int, lo: Float, hi: Float, residual: UnsafePointer<Float>? = nil,
                   ldr: Int = 0, residualChannels: Int = 0, slopes: UnsafePointer<Float>? = nil) {
    for r in 0..<m {
        for j in 0..<n {
            var acc = bias[j]
            for p in 0..<k { acc = acc.addingProduct(a[r * lda + p], weightsNK[j * k + p]) }
            if let residual, j < residualChannels { acc += residual[r * ldr + j] }
            if let slopes {
                c[r * ldc + j] = acc >= 0 ? acc : acc * slopes[j]
            } else {
                c[r * ldc + j] = min(max(acc, lo), hi)
            }
        }
    }
}
