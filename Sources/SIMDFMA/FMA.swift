// Fused multiply-add on SIMD vectors, lowered to one llvm.fma vector instruction.
//
// Swift's `SIMD.addingProduct` is a per-lane loop that LLVM re-vectorises badly (split into halves
// under AVX-512, scalar `fmaf` calls without a vector ISA) and `a * b + c` is never contracted, so the
// kernels call these instead. This file is compiled with -parse-stdlib to reach the builtin.
import Swift

/// Returns `a * b + c` for every lane, rounded once.
@_transparent
public func fma(_ a: SIMD16<Float>, _ b: SIMD16<Float>, _ c: SIMD16<Float>) -> SIMD16<Float> {
    var r = SIMD16<Float>()
    r._storage._value = Builtin.int_fma_Vec16xFPIEEE32(a._storage._value, b._storage._value, c._storage._value)
    return r
}

/// Returns `a * b + c` for every lane, rounded once.
@_transparent
public func fma(_ a: SIMD8<Float>, _ b: SIMD8<Float>, _ c: SIMD8<Float>) -> SIMD8<Float> {
    var r = SIMD8<Float>()
    r._storage._value = Builtin.int_fma_Vec8xFPIEEE32(a._storage._value, b._storage._value, c._storage._value)
    return r
}

/// Returns `a * b + c` for every lane, rounded once.
@_transparent
public func fma(_ a: SIMD4<Float>, _ b: SIMD4<Float>, _ c: SIMD4<Float>) -> SIMD4<Float> {
    var r = SIMD4<Float>()
    r._storage._value = Builtin.int_fma_Vec4xFPIEEE32(a._storage._value, b._storage._value, c._storage._value)
    return r
}
