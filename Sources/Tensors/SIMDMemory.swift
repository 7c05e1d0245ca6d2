// Unaligned SIMD16<Float> loads and stores through float pointers, for the kernels.

@inlinable @inline(__always)
public func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

@inlinable @inline(__always)
public func store16(_ p: UnsafeMutablePointer<Float>, _ v: SIMD16<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
}

// acc + a * b for the kernels: one fused multiply-add wherever the target has the instruction.
// The portable x86-64 build (INSPECT_PORTABLE) targets the baseline ISA, which has no FMA, and
// there a vector fused multiply-add becomes a libm fmaf call per lane (SGEMM measured 0.5
// GFLOPS): so it is a multiply and an add there (rounded twice; each build is deterministic).

@inlinable @inline(__always)
public func multiplyAdd<V: SIMD>(into acc: inout V, _ a: V, _ b: V) where V.Scalar == Float {
    #if INSPECT_PORTABLE && arch(x86_64)
    acc += a * b
    #else
    acc.addProduct(a, b)
    #endif
}

@inlinable @inline(__always)
public func multiplyAdd<V: SIMD>(_ acc: V, _ a: V, _ b: V) -> V where V.Scalar == Float {
    var result = acc
    multiplyAdd(into: &result, a, b)
    return result
}
