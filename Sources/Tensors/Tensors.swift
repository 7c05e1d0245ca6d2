// Tensors: Float32 tensor storage (NHWC), SIMD GEMM and convolution kernels, the worker pool,
// forward and backward ops and optimizers. Depends on the Swift standard library, Foundation
// and Dispatch only.
