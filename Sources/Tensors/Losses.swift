// Losses, each returning the mean loss and its gradient with respect to the prediction.
import Foundation

/// Binary cross entropy on logits z with targets t in [0, 1], averaged over all elements:
/// l = max(z, 0) - z t + log(1 + e^-|z|) (the stable form of -t log s(z) - (1-t) log(1-s(z))),
/// dl/dz = (sigmoid(z) - t) / count.
public func binaryCrossEntropyWithLogits(_ logits: Tensor, targets: Tensor) -> (loss: Float, gradient: Tensor) {
    elementwiseLoss(logits, targets, "binaryCrossEntropy") { z, t in
        (max(z, 0) - z * t + log1pf(expf(-abs(z))), stableSigmoid(z) - t)
    }
}

/// Mean over elements of a loss l(p, t) with derivative dl/dp, both given by `term`.
@inline(__always)
private func elementwiseLoss(_ predictions: Tensor, _ targets: Tensor, _ name: String,
                             _ term: (Float, Float) -> (loss: Float, derivative: Float)) -> (loss: Float, gradient: Tensor) {
    precondition(predictions.shape == targets.shape, "\(name): predictions \(predictions.shape) vs targets \(targets.shape)")
    let n = predictions.count
    let grad = Tensor(shape: predictions.shape)
    var total = 0.0
    for i in 0..<n {
        let (loss, derivative) = term(predictions.data[i], targets.data[i])
        total += Double(loss)
        grad.data[i] = derivative / Float(n)
    }
    return (Float(total / Double(max(n, 1))), grad)
}

/// Softmax cross entropy on logits [B, K] with integer class labels, averaged over the batch:
/// l = logsumexp(z) - z[label], dl/dz = (softmax(z) - onehot(label)) / B.
public func softmaxCrossEntropy(_ logits: Tensor, labels: [Int]) -> (loss: Float, gradient: Tensor) {
    precondition(logits.rank == 2 && logits.shape[0] == labels.count,
                 "softmaxCrossEntropy: logits \(logits.shape) for \(labels.count) labels")
    let (b, k) = (logits.shape[0], logits.shape[1])
    let grad = softmax(logits)
    var total = 0.0
    for r in 0..<b {
        let label = labels[r]
        precondition(label >= 0 && label < k, "softmaxCrossEntropy: label \(label) outside 0..<\(k)")
        total += Double(rowLogSumExp(logits.data + r * k, k) - logits.data[r * k + label])
        grad.data[r * k + label] -= 1
    }
    for i in 0..<grad.count { grad.data[i] /= Float(max(b, 1)) }
    return (Float(total / Double(max(b, 1))), grad)
}

/// Mean squared error: l = mean((p - t)^2), dl/dp = 2 (p - t) / count.
public func meanSquaredError(_ predictions: Tensor, targets: Tensor) -> (loss: Float, gradient: Tensor) {
    elementwiseLoss(predictions, targets, "meanSquaredError") { p, t in ((p - t) * (p - t), 2 * (p - t)) }
}

/// Softmax cross entropy on logits [B, K] with target distributions [B, K] (each row sums to
/// 1; soft targets such as the share of a patch's pixels in each class), averaged over the
/// batch: l = sum_k t_k (logsumexp(z) - z_k), dl/dz = (softmax(z) sum_k t_k - t) / B.
public func softmaxCrossEntropy(_ logits: Tensor, targetDistributions targets: Tensor) -> (loss: Float, gradient: Tensor) {
    precondition(logits.rank == 2 && logits.shape == targets.shape,
                 "softmaxCrossEntropy: logits \(logits.shape) vs target distributions \(targets.shape)")
    let (b, k) = (logits.shape[0], logits.shape[1])
    let grad = softmax(logits)
    var total = 0.0
    for r in 0..<b {
        let lse = rowLogSumExp(logits.data + r * k, k)
        var mass: Float = 0
        for j in 0..<k { mass += targets.data[r * k + j]; total += Double(targets.data[r * k + j] * (lse - logits.data[r * k + j])) }
        for j in 0..<k { grad.data[r * k + j] = (grad.data[r * k + j] * mass - targets.data[r * k + j]) / Float(max(b, 1)) }
    }
    return (Float(total / Double(max(b, 1))), grad)
}

/// Soft Dice loss of the softmax of logits [B, K] against target distributions [B, K], over
/// the classes `classes` (usually every class but the background), as in V-Net (Milletari et
/// al., 3DV 2016): with p = softmax(z), per class c, I_c = sum_i p_ic t_ic and
/// S_c = sum_i p_ic + sum_i t_ic + eps, D_c = (2 I_c + eps) / S_c and l = 1 - mean_c D_c.
/// dD_c/dp_ic = (2 t_ic S_c - (2 I_c + eps)) / S_c^2, taken through the softmax:
/// dl/dz_ij = p_ij (g_ij - sum_k p_ik g_ik) with g = dl/dp. eps (1) keeps a class absent from
/// both prediction and target at D = 1 instead of 0/0.
public func softmaxDiceLoss(_ logits: Tensor, targetDistributions targets: Tensor, classes: Range<Int>,
                            epsilon: Float = 1) -> (loss: Float, gradient: Tensor) {
    precondition(logits.rank == 2 && logits.shape == targets.shape,
                 "softmaxDiceLoss: logits \(logits.shape) vs target distributions \(targets.shape)")
    let (b, k) = (logits.shape[0], logits.shape[1])
    precondition(!classes.isEmpty && classes.lowerBound >= 0 && classes.upperBound <= k, "softmaxDiceLoss: classes \(classes) of \(k)")
    let p = softmax(logits)
    var intersection = [Double](repeating: 0, count: k), denominator = [Double](repeating: Double(epsilon), count: k)
    for r in 0..<b {
        for c in classes {
            let (pv, tv) = (Double(p.data[r * k + c]), Double(targets.data[r * k + c]))
            intersection[c] += pv * tv
            denominator[c] += pv + tv
        }
    }
    let count = Double(classes.count)
    var dice = 0.0
    for c in classes { dice += (2 * intersection[c] + Double(epsilon)) / denominator[c] }
    let grad = Tensor(shape: logits.shape)
    var g = [Double](repeating: 0, count: k)
    for r in 0..<b {
        var weighted = 0.0
        for j in 0..<k {
            g[j] = 0
            if classes.contains(j) {
                let s = denominator[j]
                g[j] = -(2 * Double(targets.data[r * k + j]) * s - (2 * intersection[j] + Double(epsilon))) / (s * s) / count
            }
            weighted += Double(p.data[r * k + j]) * g[j]
        }
        for j in 0..<k { grad.data[r * k + j] = Float(Double(p.data[r * k + j]) * (g[j] - weighted)) }
    }
    return (Float(1 - dice / count), grad)
}

/// Softmax focal loss on logits [B, K] with target distributions [B, K], averaged over the
/// batch (Lin et al., "Focal Loss for Dense Object Detection", ICCV 2017, eq. 4, with soft
/// targets): with p = softmax(z), l = -sum_k t_k (1 - p_k)^gamma log p_k. The factor
/// (1 - p_k)^gamma shrinks the loss of rows already predicted well (the plentiful easy
/// background), so the rare, hard defect pixels weigh more; gamma = 0 is the cross entropy.
/// With a_k = t_k (gamma p_k (1 - p_k)^(gamma - 1) log p_k - (1 - p_k)^gamma) (dl/dp_k times
/// p_k), dl/dz_j = (a_j - p_j sum_k a_k) / B.
public func softmaxFocalLoss(_ logits: Tensor, targetDistributions targets: Tensor, gamma: Float) -> (loss: Float, gradient: Tensor) {
    precondition(logits.rank == 2 && logits.shape == targets.shape && gamma >= 0,
                 "softmaxFocalLoss: logits \(logits.shape) vs target distributions \(targets.shape), gamma \(gamma)")
    let (b, k) = (logits.shape[0], logits.shape[1])
    let p = softmax(logits)
    let grad = Tensor(shape: logits.shape)
    let g = Double(gamma), scale = 1 / Double(max(b, 1))
    var total = 0.0
    var a = [Double](repeating: 0, count: k)
    for r in 0..<b {
        let lse = Double(rowLogSumExp(logits.data + r * k, k))
        var sum = 0.0
        for j in 0..<k {
            let t = Double(targets.data[r * k + j]), pj = Double(p.data[r * k + j])
            let logP = Double(logits.data[r * k + j]) - lse, rest = max(1 - pj, 0)
            total -= t * pow(rest, g) * logP
            // gamma p (1 - p)^(gamma - 1) log p tends to 0 as p -> 1 (log p ~ p - 1).
            let shrink = rest > 0 ? g * pj * pow(rest, g - 1) * logP : 0
            a[j] = t * (shrink - pow(rest, g))
            sum += a[j]
        }
        for j in 0..<k { grad.data[r * k + j] = Float((a[j] - Double(p.data[r * k + j]) * sum) * scale) }
    }
    return (Float(total * scale), grad)
}
