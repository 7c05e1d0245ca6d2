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
