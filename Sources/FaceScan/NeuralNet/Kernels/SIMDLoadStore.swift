import SIMDFMA

/// Vector loads and stores used by the kernels: unaligned, through raw pointers, so they compile to
/// single `vmovups` instructions.
typealias F16 = SIMD16<Float>

@inline(__always) func load16(_ p: UnsafePointer<Float>) -> F16 {
    UnsafeRawPointer(p).loadUnaligned(as: F16.self)
}

@inline(__always) func load16(_ p: UnsafeMutablePointer<Float>) -> F16 {
    UnsafeRawPointer(p).loadUnaligned(as: F16.self)
}

@inline(__always) func store16(_ v: F16, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: F16.self)
}

/// Stores lanes `0..<n` of `v` (n < 16).
@inline(__always) func storePartial16(_ v: F16, _ p: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n { p[i] = v[i] }
}

/// Loads `n` floats (n ≤ 16) into lanes `0..<n`, zero elsewhere; never reads past `p + n`.
@inline(__always) func loadPartial16(_ p: UnsafePointer<Float>, _ n: Int) -> F16 {
    var v = F16()
    for i in 0..<n { v[i] = p[i] }
    return v
}

@inline(__always) func max16(_ a: F16, _ b: F16) -> F16 { a.replacing(with: b, where: a .< b) }
@inline(__always) func min16(_ a: F16, _ b: F16) -> F16 { a.replacing(with: b, where: b .< a) }

/// `x >= 0 ? x : slope * x` per lane.
@inline(__always) func prelu16(_ x: F16, _ slope: F16) -> F16 {
    x.replacing(with: x * slope, where: x .< F16())
}
