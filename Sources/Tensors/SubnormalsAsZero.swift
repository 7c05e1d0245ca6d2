// Subnormal floats as zero while a kernel runs (the MXCSR's flush-to-zero and
// denormals-are-zero modes on x86-64).
//
// On Intel cores a vector multiply or fused multiply-add whose result (or, without DAZ, an
// operand) is subnormal takes a microcode assist: one such AVX-512 FMA measured 7.4 ns against
// 0.23 ns (Xeon, family 6 model 207). dlib's age network has a convolution with tiny (and
// subnormal) weights, whose products are subnormal all through a chip: on that CPU the faces
// benchmark's dataset took 39.5 s of CPU time, 14.8 s with subnormals as zero. A subnormal is
// below 1.18e-38; dropping one changes a sum only where every term is that small, and the
// faces-fairface-dev records (detections, ages, genders of 270 images) stayed the same bit for
// bit. AMD's Zen cores run subnormals at full speed; the mode is set there too, so every
// x86-64 machine computes the same values.

#if os(Linux) && arch(x86_64)
import Glibc
#endif

/// Runs `body` on this thread with subnormal results flushed to zero and subnormal operands
/// read as zero (MXCSR FTZ and DAZ), then restores the thread's floating-point mode. Elsewhere
/// than Linux on x86-64 `body` runs unchanged.
@inline(__always)
func withSubnormalsAsZero<R>(_ body: () -> R) -> R {
    #if os(Linux) && arch(x86_64)
    var saved = fenv_t()
    fegetenv(&saved)
    var mode = saved
    mode.__mxcsr |= 0x8040   // FTZ (bit 15) and DAZ (bit 6)
    fesetenv(&mode)
    defer { fesetenv(&saved) }
    #endif
    return body()
}
