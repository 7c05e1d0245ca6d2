import Foundation
import Testing
@testable import Tensors
import TestSupport

@Suite("BatchNorm") struct BatchNormTests {
    let c = 7

    @Test func inferenceAndFoldingIntoConvolution() {
        let x = randomTensor([2, 5, 4, 3], seed: 1)
        let w = randomTensor([3, 3, 3, c], seed: 2), b = randomTensor([c], seed: 3)
        let gamma = randomTensor([c], seed: 4), beta = randomTensor([c], seed: 5)
        let mean = randomTensor([c], seed: 6), variance = randomTensor([c], seed: 7, range: 0.5...2)
        let config = Conv2DConfig(padding: .same)
        let plain = conv2d(x, weight: w, bias: b, config: config)
        let bn = batchNormInference(plain, gamma: gamma, beta: beta, mean: mean, variance: variance, epsilon: 1e-3)
        let expected = plain.scalars.enumerated().map { i, v -> Double in
            let j = i % c
            return Double(gamma.data[j]) * (Double(v) - Double(mean.data[j])) / (Double(variance.data[j]) + 1e-3).squareRoot() + Double(beta.data[j])
        }
        // A handful of Float32 operations on O(10) values: 1e-5.
        expectClose(bn.scalars, expected, absolute: 1e-5, relative: 1e-5, "batchNormInference")
        let (fw, fb) = foldBatchNorm(weight: w, bias: b, gamma: gamma, beta: beta, mean: mean, variance: variance, epsilon: 1e-3)
        let folded = conv2d(x, weight: fw, bias: fb, config: config)
        // Folding reorders the rounding of a 27-term sum of O(1) terms: 1e-5.
        expectClose(folded.scalars, bn.doubles, absolute: 1e-5, relative: 1e-5, "folded convolution")
    }

    /// BatchNorm training forward in Double, per channel over the leading dimensions.
    func reference(_ x: [Double], _ gamma: [Double], _ beta: [Double], eps: Double) -> [Double] {
        let m = x.count / c
        var y = x
        for j in 0..<c {
            let values = (0..<m).map { x[$0 * c + j] }
            let mean = values.reduce(0, +) / Double(m)
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(m)
            for r in 0..<m { y[r * c + j] = gamma[j] * (x[r * c + j] - mean) / (variance + eps).squareRoot() + beta[j] }
        }
        return y
    }

    @Test func trainingForwardBackwardAndRunningStatistics() {
        let x = randomTensor([2, 3, 3, c], seed: 10, range: -2...3)
        let gamma = randomTensor([c], seed: 11, range: 0.5...1.5), beta = randomTensor([c], seed: 12)
        let runningMean = Tensor(shape: [c]), runningVariance = Tensor(shape: [c], repeating: 1)
        let (y, cache) = batchNormTraining(x, gamma: gamma, beta: beta, runningMean: runningMean,
                                           runningVariance: runningVariance, momentum: 0.1, epsilon: 1e-3)
        let expected = reference(x.doubles, gamma.doubles, beta.doubles, eps: 1e-3)
        expectClose(y.scalars, expected, absolute: 1e-5, relative: 1e-5, "batchNormTraining forward")
        let (mean, variance) = meanVariance(x, axes: 0..<3)
        expectClose(runningMean.scalars, mean.doubles.map { 0.1 * $0 }, absolute: 1e-6, "running mean")
        expectClose(runningVariance.scalars, variance.doubles.map { 0.9 + 0.1 * $0 * 18 / 17 }, absolute: 1e-5, "running variance")
        let r = lossWeights(x.count, seed: 13)
        let grads = batchNormTrainingBackward(gradOutput: Tensor(shape: x.shape, data: r.map(Float.init)), gamma: gamma, cache: cache)
        let xd = x.doubles, gd = gamma.doubles, bd = beta.doubles
        // Smooth loss, h = 1e-6: truncation O(h^2) is negligible; the analytic Float32
        // gradient carries ~m * u relative error on O(1) values: 1e-4.
        expectClose(grads.input.scalars, numericGradient(xd) { dot(r, reference($0, gd, bd, eps: 1e-3)) }, absolute: 1e-4, relative: 1e-4, "dX")
        expectClose(grads.gamma.scalars, numericGradient(gd) { dot(r, reference(xd, $0, bd, eps: 1e-3)) }, absolute: 1e-4, relative: 1e-4, "dgamma")
        expectClose(grads.beta.scalars, numericGradient(bd) { dot(r, reference(xd, gd, $0, eps: 1e-3)) }, absolute: 1e-4, relative: 1e-4, "dbeta")
    }
}

@Suite("Linear and losses") struct LinearLossTests {
    func naiveLinear(_ x: [Double], _ w: [Double], _ b: [Double], batch: Int, inputs: Int, outputs: Int) -> [Double] {
        var y = [Double](repeating: 0, count: batch * outputs)
        for i in 0..<batch { for o in 0..<outputs {
            y[i * outputs + o] = b[o] + (0..<inputs).reduce(0) { $0 + x[i * inputs + $1] * w[o * inputs + $1] }
        } }
        return y
    }

    @Test func linearForwardAndBackward() {
        let (batch, inputs, outputs) = (5, 23, 9)
        let x = randomTensor([batch, inputs], seed: 1), w = randomTensor([outputs, inputs], seed: 2), b = randomTensor([outputs], seed: 3)
        let y = linear(x, weight: w, bias: b)
        // 24-term sums of terms <= 1: (24 + 1) u * 24.
        expectClose(y.scalars, naiveLinear(x.doubles, w.doubles, b.doubles, batch: batch, inputs: inputs, outputs: outputs),
                    absolute: 25 * 24 * float32Roundoff, "linear")
        let relu = linear(x, weight: w, bias: b, activation: .relu)
        expectClose(relu.scalars, y.scalars.map { Double(max($0, 0)) }, absolute: 0, "linear with fused ReLU")
        let r = lossWeights(batch * outputs, seed: 4)
        let g = linearBackward(x, weight: w, gradOutput: Tensor(shape: [batch, outputs], data: r.map(Float.init)))
        let xd = x.doubles, wd = w.doubles, bd = b.doubles
        // Linear in each argument: central differences exact up to Double rounding; Float32
        // gradient sums of <= 9 terms: 1e-5.
        func loss(_ x: [Double], _ w: [Double], _ b: [Double]) -> Double {
            dot(r, naiveLinear(x, w, b, batch: batch, inputs: inputs, outputs: outputs))
        }
        expectClose(g.input.scalars, numericGradient(xd) { loss($0, wd, bd) }, absolute: 1e-5, "linear dX")
        expectClose(g.weight.scalars, numericGradient(wd) { loss(xd, $0, bd) }, absolute: 1e-5, "linear dW")
        expectClose(g.bias.scalars, numericGradient(bd) { loss(xd, wd, $0) }, absolute: 1e-5, "linear dB")
    }

    // Losses below are smooth: with h = 1e-6 truncation is negligible, and each analytic
    // gradient element is a couple of Float32 operations: tolerance 1e-6 absolute.

    @Test func binaryCrossEntropy() {
        let z = randomTensor([4, 3], seed: 5, range: -30...30), t = randomTensor([4, 3], seed: 6, range: 0...1)
        let (loss, grad) = binaryCrossEntropyWithLogits(z, targets: t)
        func f(_ zs: [Double]) -> Double {
            zip(zs, t.doubles).reduce(0) { acc, p in
                let s = 1 / (1 + exp(-p.0))
                // log(1 - s) written as -z + log(s) keeps precision for large positive z.
                return acc - (p.1 * log(s) + (1 - p.1) * (log(s) - p.0))
            } / Double(zs.count)
        }
        expectClose(Double(loss), f(z.doubles), absolute: 1e-5 * max(1, f(z.doubles)), "bce loss")
        expectClose(grad.scalars, numericGradient(z.doubles, f), absolute: 1e-6, "bce gradient")
    }

    @Test func softmaxCrossEntropyLoss() {
        let z = randomTensor([5, 4], seed: 7, range: -6...6)
        let labels = [0, 3, 1, 1, 2]
        let (loss, grad) = softmaxCrossEntropy(z, labels: labels)
        func f(_ zs: [Double]) -> Double {
            (0..<5).reduce(0) { acc, r in
                let row = Array(zs[(r * 4)..<(r * 4 + 4)])
                return acc + log(row.reduce(0) { $0 + exp($1) }) - row[labels[r]]
            } / 5
        }
        expectClose(Double(loss), f(z.doubles), absolute: 1e-5, "softmax cross entropy loss")
        expectClose(grad.scalars, numericGradient(z.doubles, f), absolute: 1e-6, "softmax cross entropy gradient")
    }

    /// Softmax of one row in Double, for the references below.
    static func softmaxRow(_ row: [Double]) -> [Double] {
        let m = row.max() ?? 0, e = row.map { exp($0 - m) }, s = e.reduce(0, +)
        return e.map { $0 / s }
    }

    /// Soft targets: each row a random distribution over the classes.
    static func targetDistributions(rows: Int, classes: Int, seed: UInt64) -> Tensor {
        let raw = randomTensor([rows, classes], seed: seed, range: 0...1)
        let t = Tensor(shape: [rows, classes])
        for r in 0..<rows {
            let total = (0..<classes).reduce(Float(0)) { $0 + raw.data[r * classes + $1] }
            for j in 0..<classes { t.data[r * classes + j] = raw.data[r * classes + j] / total }
        }
        return t
    }

    @Test func softmaxCrossEntropyWithTargetDistributions() {
        let z = randomTensor([6, 3], seed: 21, range: -5...5), t = Self.targetDistributions(rows: 6, classes: 3, seed: 22)
        let (loss, grad) = softmaxCrossEntropy(z, targetDistributions: t)
        func f(_ zs: [Double]) -> Double {
            (0..<6).reduce(0) { acc, r in
                let p = Self.softmaxRow(Array(zs[(r * 3)..<(r * 3 + 3)]))
                return acc - (0..<3).reduce(0) { $0 + t.doubles[r * 3 + $1] * log(p[$1]) }
            } / 6
        }
        expectClose(Double(loss), f(z.doubles), absolute: 1e-5, "soft-target cross entropy loss")
        expectClose(grad.scalars, numericGradient(z.doubles, f), absolute: 1e-6, "soft-target cross entropy gradient")
        // One-hot targets give the integer-label loss.
        let labels = [0, 2, 1, 1, 0, 2], oneHot = Tensor(shape: [6, 3])
        for (r, label) in labels.enumerated() { oneHot.data[r * 3 + label] = 1 }
        expectClose(Double(softmaxCrossEntropy(z, targetDistributions: oneHot).loss), Double(softmaxCrossEntropy(z, labels: labels).loss),
                    absolute: 1e-6, "one-hot targets")
    }

    @Test func softmaxFocalLossAndGradient() {
        let z = randomTensor([6, 3], seed: 25, range: -4...4), t = Self.targetDistributions(rows: 6, classes: 3, seed: 26)
        for gamma in [0.5, 2.0] {
            let (loss, grad) = softmaxFocalLoss(z, targetDistributions: t, gamma: Float(gamma))
            func f(_ zs: [Double]) -> Double {
                (0..<6).reduce(0) { acc, r in
                    let p = Self.softmaxRow(Array(zs[(r * 3)..<(r * 3 + 3)]))
                    return acc - (0..<3).reduce(0) { $0 + t.doubles[r * 3 + $1] * pow(1 - p[$1], gamma) * log(p[$1]) }
                } / 6
            }
            expectClose(Double(loss), f(z.doubles), absolute: 1e-5, "focal loss, gamma \(gamma)")
            expectClose(grad.scalars, numericGradient(z.doubles, f), absolute: 1e-6, "focal gradient, gamma \(gamma)")
        }
        // gamma 0 is the cross entropy, loss and gradient.
        let focal = softmaxFocalLoss(z, targetDistributions: t, gamma: 0), ce = softmaxCrossEntropy(z, targetDistributions: t)
        expectClose(Double(focal.loss), Double(ce.loss), absolute: 1e-6, "gamma 0 loss")
        expectClose(focal.gradient.scalars, ce.gradient.scalars.map(Double.init), absolute: 1e-6, "gamma 0 gradient")
        // An easy row (p = 0.9 on its class) loses far more of its loss than a hard one (p = 0.1).
        let easy = Tensor(shape: [1, 2], data: [Float(log(9.0)), 0]), hard = Tensor(shape: [1, 2], data: [0, Float(log(9.0))])
        let first = Tensor(shape: [1, 2], data: [1, 0])
        let easyShare = softmaxFocalLoss(easy, targetDistributions: first, gamma: 2).loss / softmaxCrossEntropy(easy, targetDistributions: first).loss
        let hardShare = softmaxFocalLoss(hard, targetDistributions: first, gamma: 2).loss / softmaxCrossEntropy(hard, targetDistributions: first).loss
        expectClose(Double(easyShare), 0.01, absolute: 1e-4, "easy row: (1 - 0.9)^2")
        expectClose(Double(hardShare), 0.81, absolute: 1e-4, "hard row: (1 - 0.1)^2")
    }

    @Test func softmaxDiceLossAndGradient() {
        let z = randomTensor([7, 3], seed: 23, range: -4...4), t = Self.targetDistributions(rows: 7, classes: 3, seed: 24)
        let (loss, grad) = softmaxDiceLoss(z, targetDistributions: t, classes: 1..<3)
        func f(_ zs: [Double]) -> Double {
            let p = (0..<7).flatMap { Self.softmaxRow(Array(zs[($0 * 3)..<($0 * 3 + 3)])) }
            let dice = (1..<3).map { c -> Double in
                let i = (0..<7).reduce(0.0) { $0 + p[$1 * 3 + c] * t.doubles[$1 * 3 + c] }
                let s = (0..<7).reduce(1.0) { $0 + p[$1 * 3 + c] + t.doubles[$1 * 3 + c] }
                return (2 * i + 1) / s
            }
            return 1 - dice.reduce(0, +) / 2
        }
        expectClose(Double(loss), f(z.doubles), absolute: 1e-5, "dice loss")
        expectClose(grad.scalars, numericGradient(z.doubles, f), absolute: 1e-6, "dice gradient")
        // A confident, correct prediction of hard targets has a loss near 0.
        let labels = [0, 1, 2, 1, 0, 2, 2], sure = Tensor(shape: [7, 3]), oneHot = Tensor(shape: [7, 3])
        for (r, label) in labels.enumerated() { sure.data[r * 3 + label] = 30; oneHot.data[r * 3 + label] = 1 }
        #expect(softmaxDiceLoss(sure, targetDistributions: oneHot, classes: 1..<3).loss < 1e-3)
    }

    @Test func meanSquaredErrorLoss() {
        let p = randomTensor([3, 7], seed: 8), t = randomTensor([3, 7], seed: 9)
        let (loss, grad) = meanSquaredError(p, targets: t)
        let f = { (ps: [Double]) in zip(ps, t.doubles).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / 21 }
        expectClose(Double(loss), f(p.doubles), absolute: 1e-6, "mse loss")
        expectClose(grad.scalars, numericGradient(p.doubles, f), absolute: 1e-6, "mse gradient")
    }
}

@Suite("Optimizers") struct OptimizerTests {
    @Test func sgdWithMomentumMatchesTheUpdateRule() {
        let p = Parameter(Tensor(shape: [2], data: [1, -2]))
        var sgd = SGD(momentum: 0.9, weightDecay: 0.1)
        var w: [Double] = [1, -2], v: [Double] = [0, 0]
        for step in 0..<3 {
            let g: [Double] = [0.5, Double(step) - 1]
            p.gradient.data[0] = Float(g[0]); p.gradient.data[1] = Float(g[1])
            sgd.step([p], learningRate: 0.1)
            for i in 0..<2 { v[i] = 0.9 * v[i] + g[i] + 0.1 * w[i]; w[i] -= 0.1 * v[i] }
        }
        expectClose(p.value.scalars, w, absolute: 1e-6, "sgd")
    }

    @Test func adamWMatchesTheUpdateRuleAndDecouplesDecay() {
        let p = Parameter(Tensor(shape: [2], data: [1, -2])), bias = Parameter(Tensor(shape: [1], data: [3]), decays: false)
        var adam = AdamW(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01)
        var w: [Double] = [1, -2], m: [Double] = [0, 0], v: [Double] = [0, 0]
        for step in 1...4 {
            let g: [Double] = [0.3, -Double(step)]
            p.gradient.data[0] = Float(g[0]); p.gradient.data[1] = Float(g[1])
            bias.gradient.data[0] = 0
            adam.step([p, bias], learningRate: 0.05)
            for i in 0..<2 {
                m[i] = 0.9 * m[i] + 0.1 * g[i]
                v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i]
                let mHat = m[i] / (1 - pow(0.9, Double(step))), vHat = v[i] / (1 - pow(0.999, Double(step)))
                w[i] = w[i] * (1 - 0.05 * 0.01) - 0.05 * mHat / (vHat.squareRoot() + 1e-8)
            }
        }
        // Float32 state over four steps: 1e-5.
        expectClose(p.value.scalars, w, absolute: 1e-5, "adamw")
        #expect(bias.value.data[0] == 3)   // zero gradient and no decay: unchanged
    }

    @Test func optimizersMinimiseAQuadratic() {
        // L(w) = |w - target|^2 / 2, gradient w - target.
        let target: [Float] = [3, -1, 0.5]
        for useAdam in [false, true] {
            let p = Parameter(Tensor(shape: [3]), decays: false)
            var sgd = SGD(momentum: 0.9)
            var adam = AdamW(weightDecay: 0)
            for _ in 0..<300 {
                for i in 0..<3 { p.gradient.data[i] = p.value.data[i] - target[i] }
                if useAdam { adam.step([p], learningRate: 0.05) } else { sgd.step([p], learningRate: 0.05) }
            }
            expectClose(p.value.scalars, target.map(Double.init), absolute: 1e-2, useAdam ? "AdamW minimum" : "SGD minimum")
        }
    }

    @Test func cosineScheduleWithWarmup() {
        let s = CosineSchedule(baseRate: 0.1, minimumRate: 0.001, warmupSteps: 4, totalSteps: 24)
        expectClose([0, 3, 4, 23].map { s.rate(at: $0) }, [0.025, 0.1, 0.1, 0.001], absolute: 1e-7, "warmup and decay rates")
        // Halfway through the decay the cosine is at its midpoint.
        let mid = CosineSchedule(baseRate: 1, warmupSteps: 0, totalSteps: 11)
        expectClose(Double(mid.rate(at: 5)), 0.5, absolute: 1e-6, "rate halfway through the decay")
        #expect((4..<23).allSatisfy { s.rate(at: $0 + 1) < s.rate(at: $0) })
    }
}
