import Foundation
import Testing
@testable import Networks
import Tensors
import SeededRandom
import TestSupport

@Suite("ConvPoolingHead") struct ConvPoolingHeadTests {
    let n = 3, h = 2, w = 3, cin = 4, c = 5

    /// The head's training loss in Double, written out from its definition: 1x1 convolution,
    /// BatchNorm with batch statistics, ReLU6, [average, max] pooling, linear, mean BCE.
    func loss(x: [Double], conv: [Double], gamma: [Double], beta: [Double], linear: [Double], bias: Double, targets: [Double]) -> Double {
        let p = h * w, m = Double(n * p)
        var y = [Double](repeating: 0, count: n * p * c)
        for r in 0..<(n * p) { for j in 0..<c { y[r * c + j] = (0..<cin).reduce(0) { $0 + x[r * cin + $1] * conv[$1 * c + j] } } }
        for j in 0..<c {
            let mean = (0..<(n * p)).reduce(0) { $0 + y[$1 * c + j] } / m
            let variance = (0..<(n * p)).reduce(0) { $0 + (y[$1 * c + j] - mean) * (y[$1 * c + j] - mean) } / m
            for r in 0..<(n * p) {
                let v = gamma[j] * (y[r * c + j] - mean) / (variance + 1e-3).squareRoot() + beta[j]
                y[r * c + j] = min(max(v, 0), 6)
            }
        }
        var total = 0.0
        for i in 0..<n {
            var z = bias
            for j in 0..<c {
                let values = (0..<p).map { y[(i * p + $0) * c + j] }
                z += linear[j] * values.reduce(0, +) / Double(p) + linear[c + j] * (values.max() ?? 0)
            }
            total += max(z, 0) - z * targets[i] + log(1 + exp(-abs(z)))
        }
        return total / Double(n)
    }

    /// Inference (BatchNorm's running statistics folded into the convolution once, the weights
    /// prepacked) against the head written out in Double from its definition.
    @Test func foldedInferenceLogitsMatchTheDefinition() {
        let x = randomDoubles(n * h * w * cin, seed: 11), conv = randomDoubles(cin * c, seed: 12)
        let gamma = randomDoubles(c, seed: 13, range: 0.5...1.5), beta = randomDoubles(c, seed: 14, range: 0...1)
        let mean = randomDoubles(c, seed: 15), variance = randomDoubles(c, seed: 16, range: 0.2...2)
        let linear = randomDoubles(2 * c, seed: 17), bias = -0.2
        let f = { (t: [Double]) in Tensor(shape: [t.count], data: t.map(Float.init)) }
        let head = ConvPoolingHead(tensors: [
            "conv.weight": Tensor(shape: [1, 1, cin, c], data: conv.map(Float.init)), "bn.gamma": f(gamma), "bn.beta": f(beta),
            "bn.running_mean": f(mean), "bn.running_var": f(variance),
            "linear.weight": Tensor(shape: [1, 2 * c], data: linear.map(Float.init)), "linear.bias": f([bias])])
        let input = Tensor(shape: [n, h, w, cin], data: x.map(Float.init))
        let folded = FoldedConvPoolingHead(head).logits(input)
        expectClose(head.logits(input), folded.map(Double.init), absolute: 0, "logits folded per call and folded once")
        let p = h * w
        let expected = (0..<n).map { i -> Double in
            var z = bias
            for j in 0..<c {
                let values = (0..<p).map { q -> Double in
                    let y = (0..<cin).reduce(0.0) { $0 + x[(i * p + q) * cin + $1] * conv[$1 * c + j] }
                    let v = gamma[j] * (y - mean[j]) / (variance[j] + Double(ConvPoolingHead.batchNormEpsilon)).squareRoot() + beta[j]
                    return min(max(v, 0), 6)
                }
                z += linear[j] * values.reduce(0, +) / Double(p) + linear[c + j] * (values.max() ?? 0)
            }
            return z
        }
        expectClose(folded, expected, absolute: 1e-5, "folded head logits")
    }

    @Test func trainingGradientsMatchFiniteDifferences() {
        let x = randomDoubles(n * h * w * cin, seed: 1), conv = randomDoubles(cin * c, seed: 2)
        let gamma = randomDoubles(c, seed: 3, range: 0.5...1.5), beta = randomDoubles(c, seed: 4, range: 0...1)
        let linear = randomDoubles(2 * c, seed: 5), bias = 0.1, targets: [Double] = [0, 1, 1]
        let f = { (t: [Double]) in Tensor(shape: [t.count], data: t.map(Float.init)) }
        let head = ConvPoolingHead(tensors: [
            "conv.weight": Tensor(shape: [1, 1, cin, c], data: conv.map(Float.init)), "bn.gamma": f(gamma), "bn.beta": f(beta),
            "bn.running_mean": Tensor(shape: [c]), "bn.running_var": Tensor(shape: [c], repeating: 1),
            "linear.weight": Tensor(shape: [1, 2 * c], data: linear.map(Float.init)), "linear.bias": f([bias])])
        let value = head.trainingPass(Tensor(shape: [n, h, w, cin], data: x.map(Float.init)), targets: targets.map(Float.init),
                                      updateStatistics: false)
        let reference = loss(x: x, conv: conv, gamma: gamma, beta: beta, linear: linear, bias: bias, targets: targets)
        expectClose(Double(value), reference, absolute: 1e-5, "training loss")
        #expect(head.runningMean.scalars == [Float](repeating: 0, count: c))  // statistics left alone when asked
        // Piecewise smooth loss (ReLU6 and max have kinks that random inputs miss by far more
        // than h = 1e-6); the Float32 backward chain carries ~1e-6 relative error per step: 1e-4.
        func check(_ actual: Tensor, _ numeric: [Double], _ what: String) {
            expectClose(actual.scalars, numeric, absolute: 1e-4, relative: 1e-3, "d\(what)")
        }
        check(head.convWeight.gradient, numericGradient(conv) { loss(x: x, conv: $0, gamma: gamma, beta: beta, linear: linear, bias: bias, targets: targets) }, "conv")
        check(head.gamma.gradient, numericGradient(gamma) { loss(x: x, conv: conv, gamma: $0, beta: beta, linear: linear, bias: bias, targets: targets) }, "gamma")
        check(head.beta.gradient, numericGradient(beta) { loss(x: x, conv: conv, gamma: gamma, beta: $0, linear: linear, bias: bias, targets: targets) }, "beta")
        check(head.linearWeight.gradient, numericGradient(linear) { loss(x: x, conv: conv, gamma: gamma, beta: beta, linear: $0, bias: bias, targets: targets) }, "linear")
        check(head.linearBias.gradient, numericGradient([bias]) { loss(x: x, conv: conv, gamma: gamma, beta: beta, linear: linear, bias: $0[0], targets: targets) }, "bias")
    }

    @Test func learnsToSeparateMapsWithALocalBlob() {
        // Good maps are noise; anomalous ones carry one strong cell in channel 0. A few dozen
        // AdamW steps must rank every anomalous map above every good one.
        var rng = SeededGenerator(seed: 9)
        func map(_ anomalous: Bool) -> Tensor {
            let t = Tensor.randomUniform(shape: [1, 4, 4, 3], in: 0...0.5, using: &rng)
            if anomalous { t.data[Int.random(in: 0..<16, using: &rng) * 3] = 3 }
            return t
        }
        let labels = (0..<16).map { $0 % 2 == 1 }
        let x = concat(labels.map(map), axis: 0)
        let head = ConvPoolingHead(inputChannels: 3, width: 8, seed: 1)
        var optimizer = AdamW(weightDecay: 0)
        let first = head.trainingPass(x, targets: labels.map { $0 ? 1 : 0 })
        var last = first
        for _ in 0..<60 {
            optimizer.step(head.parameters, learningRate: 0.03)
            last = head.trainingPass(x, targets: labels.map { $0 ? 1 : 0 })
        }
        #expect(last < first / 4, "loss \(first) -> \(last)")
        let logits = head.logits(x)
        let goods = zip(logits, labels).filter { !$0.1 }.map(\.0), bads = zip(logits, labels).filter { $0.1 }.map(\.0)
        #expect((bads.min() ?? 0) > (goods.max() ?? 0))
    }
}
