// Batch normalisation (Ioffe & Szegedy, 2015) over the channels of NHWC (or [N, C]) tensors:
// inference form, folding into the preceding convolution, and training mode with backward.
import Foundation

/// Per-channel scale and shift equivalent to inference-mode BatchNorm:
/// y = gamma * (x - mean) / sqrt(var + eps) + beta = x * scale + shift.
func batchNormScaleShift(gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor, epsilon: Float) -> (scale: [Float], shift: [Float]) {
    let c = gamma.count
    precondition(beta.count == c && mean.count == c && variance.count == c,
                 "batchNorm: gamma/beta/mean/variance sizes \(gamma.count)/\(beta.count)/\(mean.count)/\(variance.count) differ")
    var scale = [Float](repeating: 0, count: c), shift = scale
    for j in 0..<c {
        scale[j] = gamma.data[j] / (variance.data[j] + epsilon).squareRoot()
        shift[j] = beta.data[j] - mean.data[j] * scale[j]
    }
    return (scale, shift)
}

/// Inference-mode BatchNorm on the last dimension (channels), with running statistics.
public func batchNormInference(_ x: Tensor, gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor,
                               epsilon: Float = 1e-3, out: Tensor? = nil) -> Tensor {
    let (scale, shift) = batchNormScaleShift(gamma: gamma, beta: beta, mean: mean, variance: variance, epsilon: epsilon)
    precondition(x.shape.last == scale.count, "batchNormInference: input \(x.shape) has not \(scale.count) channels")
    let y = multiply(x, Tensor(shape: [scale.count], data: scale), out: out)
    return add(y, Tensor(shape: [shift.count], data: shift), out: y)
}

/// Folds inference BatchNorm into the convolution before it: conv(x, W) + b followed by BN
/// equals conv(x, W * scale) + (b * scale + shift), scaling each output channel (the last
/// weight dimension, for HWIO and depthwise weights alike). Returns the new weight and bias.
public func foldBatchNorm(weight: Tensor, bias: Tensor?, gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor,
                          epsilon: Float = 1e-3) -> (weight: Tensor, bias: Tensor) {
    let (scale, shift) = batchNormScaleShift(gamma: gamma, beta: beta, mean: mean, variance: variance, epsilon: epsilon)
    let c = scale.count
    precondition(weight.shape.last == c, "foldBatchNorm: weight \(weight.shape) has not \(c) output channels last")
    let w = weight.copy()
    for i in 0..<w.count { w.data[i] *= scale[i % c] }
    let b = Tensor(shape: [c])
    for j in 0..<c { b.data[j] = (bias?.data[j] ?? 0) * scale[j] + shift[j] }
    return (w, b)
}

/// What training-mode BatchNorm keeps for its backward pass.
public struct BatchNormCache {
    public let normalized: Tensor   // x_hat = (x - mean) * invStd
    public let invStd: [Float]      // 1 / sqrt(batch variance + eps)
}

/// Training-mode BatchNorm: normalises with the batch's own per-channel mean and biased
/// variance (over every dimension but the last), and updates the running statistics as
/// running = (1 - momentum) * running + momentum * batch (the variance update uses the
/// unbiased batch variance, as PyTorch does).
public func batchNormTraining(_ x: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVariance: Tensor,
                              momentum: Float = 0.1, epsilon: Float = 1e-3) -> (output: Tensor, cache: BatchNormCache) {
    let c = x.shape.last ?? 0
    precondition(x.rank >= 2 && gamma.count == c && beta.count == c && runningMean.count == c && runningVariance.count == c,
                 "batchNormTraining: input \(x.shape) and parameter sizes disagree")
    let (mean, variance) = meanVariance(x, axes: 0..<(x.rank - 1))
    let m = x.count / max(c, 1)
    var invStd = [Float](repeating: 0, count: c)
    for j in 0..<c {
        invStd[j] = 1 / (variance.data[j] + epsilon).squareRoot()
        let unbiased = m > 1 ? variance.data[j] * Float(m) / Float(m - 1) : variance.data[j]
        runningMean.data[j] = (1 - momentum) * runningMean.data[j] + momentum * mean.data[j]
        runningVariance.data[j] = (1 - momentum) * runningVariance.data[j] + momentum * unbiased
    }
    let normalized = Tensor(shape: x.shape), y = Tensor(shape: x.shape)
    for r in 0..<m {
        for j in 0..<c {
            let i = r * c + j
            let xh = (x.data[i] - mean.data[j]) * invStd[j]
            normalized.data[i] = xh
            y.data[i] = gamma.data[j] * xh + beta.data[j]
        }
    }
    return (y, BatchNormCache(normalized: normalized, invStd: invStd))
}

/// Training-mode BatchNorm backward. With M values per channel and x_hat the normalised input,
///   dbeta = sum dy,  dgamma = sum dy * x_hat,
///   dx = gamma * invStd / M * (M * dy - dbeta - x_hat * dgamma)
/// (the batch mean and variance depend on x, hence the two correction terms).
public func batchNormTrainingBackward(gradOutput dy: Tensor, gamma: Tensor, cache: BatchNormCache)
    -> (input: Tensor, gamma: Tensor, beta: Tensor) {
    let xh = cache.normalized
    precondition(dy.shape == xh.shape, "batchNormTrainingBackward: gradOutput \(dy.shape) vs input \(xh.shape)")
    let c = gamma.count, m = xh.count / max(c, 1)
    var sumDy = [Double](repeating: 0, count: c), sumDyXh = sumDy
    for r in 0..<m {
        for j in 0..<c {
            let i = r * c + j
            sumDy[j] += Double(dy.data[i])
            sumDyXh[j] += Double(dy.data[i] * xh.data[i])
        }
    }
    let dx = Tensor(shape: xh.shape)
    for r in 0..<m {
        for j in 0..<c {
            let i = r * c + j
            let k = gamma.data[j] * cache.invStd[j] / Float(m)
            dx.data[i] = k * (Float(m) * dy.data[i] - Float(sumDy[j]) - xh.data[i] * Float(sumDyXh[j]))
        }
    }
    return (dx, Tensor(shape: [c], data: sumDyXh.map(Float.init)), Tensor(shape: [c], data: sumDy.map(Float.init)))
}
