// Optimizers: SGD with momentum and AdamW. Each keeps its state per parameter, in the order
// the parameters are passed to `step` (pass the same list every step).
import Foundation

/// A trainable tensor and the gradient accumulated for it.
public final class Parameter {
    public let value: Tensor
    public let gradient: Tensor
    /// Whether weight decay applies (usually false for biases and BatchNorm parameters).
    public var decays: Bool

    public init(_ value: Tensor, decays: Bool = true) {
        self.value = value
        gradient = Tensor(shape: value.shape)
        self.decays = decays
    }

    public func zeroGradient() { gradient.fill(0) }
}

public protocol Optimizer {
    /// Updates every parameter from its gradient with the given learning rate.
    mutating func step(_ parameters: [Parameter], learningRate: Float)
}

/// Creates zero state tensors on the first step and checks the parameter list afterwards.
private func stateTensors(_ state: inout [Tensor], for parameters: [Parameter], _ name: String) {
    if state.isEmpty { state = parameters.map { Tensor(shape: $0.value.shape) } }
    precondition(state.count == parameters.count && zip(state, parameters).allSatisfy { $0.shape == $1.value.shape },
                 "\(name): the parameter list changed between steps")
}

/// SGD with momentum (the PyTorch formulation): g = grad + wd * w; v = mu * v + g; w -= lr * v.
public struct SGD: Optimizer {
    public var momentum: Float
    public var weightDecay: Float
    private var velocity: [Tensor] = []

    public init(momentum: Float = 0.9, weightDecay: Float = 0) {
        self.momentum = momentum
        self.weightDecay = weightDecay
    }

    public mutating func step(_ parameters: [Parameter], learningRate: Float) {
        stateTensors(&velocity, for: parameters, "SGD")
        for (p, v) in zip(parameters, velocity) {
            let wd = p.decays ? weightDecay : 0
            for i in 0..<p.value.count {
                let g = p.gradient.data[i] + wd * p.value.data[i]
                v.data[i] = momentum * v.data[i] + g
                p.value.data[i] -= learningRate * v.data[i]
            }
        }
    }
}

/// AdamW (Loshchilov & Hutter, "Decoupled weight decay regularization", ICLR 2019): Adam
/// (Kingma & Ba, 2015) with bias-corrected moments, and weight decay applied to the weights
/// directly (w -= lr * wd * w) instead of through the gradient.
public struct AdamW: Optimizer {
    public var beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    private var firstMoment: [Tensor] = [], secondMoment: [Tensor] = []
    private var steps = 0

    public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon; self.weightDecay = weightDecay
    }

    public mutating func step(_ parameters: [Parameter], learningRate: Float) {
        stateTensors(&firstMoment, for: parameters, "AdamW")
        stateTensors(&secondMoment, for: parameters, "AdamW")
        steps += 1
        let correction1 = 1 - powf(beta1, Float(steps)), correction2 = 1 - powf(beta2, Float(steps))
        for (index, p) in parameters.enumerated() {
            let m = firstMoment[index], v = secondMoment[index]
            let decay = p.decays ? 1 - learningRate * weightDecay : 1
            for i in 0..<p.value.count {
                let g = p.gradient.data[i]
                m.data[i] = beta1 * m.data[i] + (1 - beta1) * g
                v.data[i] = beta2 * v.data[i] + (1 - beta2) * g * g
                let mHat = m.data[i] / correction1, vHat = v.data[i] / correction2
                p.value.data[i] = p.value.data[i] * decay - learningRate * mHat / (vHat.squareRoot() + epsilon)
            }
        }
    }
}
