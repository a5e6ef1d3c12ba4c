import SIMDFMA

/// Vector loads and stores used by the kernels: unaligned, through raw pointers, so they compile to
/// single `vmovups` instructions.
typealias F16 = SIMD16<Float>
typealias F8 = SIMD8<Float>

@inline(__always) func load8(_ p: UnsafePointer<Float>) -> F8 {
    UnsafeRawPointer(p).loadUnaligned(as: F8.self)
}

@inline(__always) func load16(_ p: UnsafePointer<Float>) -> F16 {
    UnsafeRawPointer(p).loadUnaligned(as: F16.self)
}

@inline(__always) func load16(_ p: UnsafeMutablePointer<Float>) -> F16 {
    UnsafeRawPointer(p).loadUnaligned(as: F16.self)
}

@inline(__always) func store16(_ v: F16, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: F16.self)
}

/// Stores lanes `0..<n` of `v` (0 ≤ n < 16) with 8-, 4-, 2- and 1-lane stores. (Extracting lanes
/// one by one, or copying through memory, made LLVM scalarise the code computing `v` or call memmove.)
@inline(__always) func storePartial16(_ v: F16, _ p: UnsafeMutablePointer<Float>, _ n: Int) {
    var q = UnsafeMutableRawPointer(p)
    var m = n
    var v8 = v.lowHalf
    if m >= 8 { q.storeBytes(of: v8, as: SIMD8<Float>.self); q += 32; m -= 8; v8 = v.highHalf }
    var v4 = v8.lowHalf
    if m >= 4 { q.storeBytes(of: v4, as: SIMD4<Float>.self); q += 16; m -= 4; v4 = v8.highHalf }
    var v2 = v4.lowHalf
    if m >= 2 { q.storeBytes(of: v2, as: SIMD2<Float>.self); q += 8; m -= 2; v2 = v4.highHalf }
    if m >= 1 { q.storeBytes(of: v2[0], as: Float.self) }
}

/// Bit masks keeping lanes `0..<n`, for n = 0...16.
private let laneMasks: [SIMD16<UInt32>] = (0...16).map { n in
    SIMD16<UInt32>((0..<16).map { $0 < n ? UInt32.max : 0 })
}

/// Loads 16 floats and zeroes lanes `n..<16` (0 ≤ n ≤ 16). Reads a whole vector: `p` must have 16
/// readable floats (buffers have slack).
@inline(__always) func loadMasked16(_ p: UnsafePointer<Float>, _ n: Int) -> F16 {
    let bits = UnsafeRawPointer(p).loadUnaligned(as: SIMD16<UInt32>.self) & laneMasks[n]
    return unsafeBitCast(bits, to: F16.self)
}

// Written as lane loops: LLVM turns these into one vmaxps / vminps / masked vmulps, whereas
// `replacing(with:where:)` was lowered to mask shuffles inside the kernels.
@inline(__always) func max16(_ a: F16, _ b: F16) -> F16 {
    var r = a
    for i in 0..<16 { r[i] = a[i] > b[i] ? a[i] : b[i] }
    return r
}

@inline(__always) func min16(_ a: F16, _ b: F16) -> F16 {
    var r = a
    for i in 0..<16 { r[i] = a[i] < b[i] ? a[i] : b[i] }
    return r
}

/// `x >= 0 ? x : slope * x` per lane.
@inline(__always) func prelu16(_ x: F16, _ slope: F16) -> F16 {
    var r = x
    for i in 0..<16 { r[i] = x[i] < 0 ? x[i] * slope[i] : x[i] }
    return r
}
