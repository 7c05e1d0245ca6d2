// Reductions: mean and variance, softmax, log-sum-exp. Accumulation is in Double so that long
// reductions (a channel over a whole batch) stay accurate; the order is fixed (deterministic).
import Foundation

/// Mean and biased variance (divide by the count) over the contiguous block of dimensions
/// `axes`: the tensor is viewed as [outer, reduced, inner] and the result has shape
/// [outer, inner] (flattened to the remaining dimensions). Per-channel statistics of an NHWC
/// tensor are `axes: 0..<3`; per-row statistics of a matrix are `axes: 1..<2`.
public func meanVariance(_ x: Tensor, axes: Range<Int>) -> (mean: Tensor, variance: Tensor) {
    precondition(axes.lowerBound >= 0 && axes.upperBound <= x.rank && !axes.isEmpty,
                 "meanVariance: axes \(axes) out of range for shape \(x.shape)")
    let outer = x.shape[..<axes.lowerBound].reduce(1, *)
    let reduced = x.shape[axes].reduce(1, *)
    let inner = x.shape[axes.upperBound...].reduce(1, *)
    let keptShape = Array(x.shape[..<axes.lowerBound]) + Array(x.shape[axes.upperBound...])
    let mean = Tensor(shape: keptShape), variance = Tensor(shape: keptShape)
    var sum = [Double](repeating: 0, count: inner), squares = sum
    for o in 0..<outer {
        for j in 0..<inner { sum[j] = 0; squares[j] = 0 }
        for r in 0..<reduced {
            let row = x.data + (o * reduced + r) * inner
            for j in 0..<inner { sum[j] += Double(row[j]) }
        }
        let count = Double(max(reduced, 1))
        for j in 0..<inner { sum[j] /= count }
        // Second pass around the mean (two-pass variance: no cancellation).
        for r in 0..<reduced {
            let row = x.data + (o * reduced + r) * inner
            for j in 0..<inner {
                let d = Double(row[j]) - sum[j]
                squares[j] += d * d
            }
        }
        for j in 0..<inner {
            mean.data[o * inner + j] = Float(sum[j])
            variance.data[o * inner + j] = Float(squares[j] / count)
        }
    }
    return (mean, variance)
}

/// Sum of all elements (Double accumulation).
public func sum(_ x: Tensor) -> Float {
    var s = 0.0
    for i in 0..<x.count { s += Double(x.data[i]) }
    return Float(s)
}

/// log(sum(exp(x))) along the last dimension, computed as m + log(sum(exp(x - m))) with m the
/// row maximum so nothing overflows. Shape: the input's without its last dimension.
public func logSumExp(_ x: Tensor) -> Tensor {
    let k = x.shape.last ?? 1
    let rows = k == 0 ? 0 : x.count / k
    let y = Tensor(shape: Array(x.shape.dropLast()))
    for r in 0..<rows { y.data[r] = rowLogSumExp(x.data + r * k, k) }
    return y
}

func rowLogSumExp(_ row: UnsafePointer<Float>, _ k: Int) -> Float {
    var m = -Float.infinity
    for j in 0..<k { m = max(m, row[j]) }
    if !m.isFinite { return m }
    var s = 0.0
    for j in 0..<k { s += Double(expf(row[j] - m)) }
    return m + Float(log(s))
}

/// Softmax along the last dimension: exp(x - logsumexp(x)).
public func softmax(_ x: Tensor, out: Tensor? = nil) -> Tensor {
    let y = Tensor.uninitializedOutput(out, shape: x.shape)
    let k = x.shape.last ?? 1
    let rows = k == 0 ? 0 : x.count / k
    for r in 0..<rows {
        let lse = rowLogSumExp(x.data + r * k, k)
        for j in 0..<k { y.data[r * k + j] = expf(x.data[r * k + j] - lse) }
    }
    return y
}
