// A small per-patch segmentation head, trainable on our kernels:
//   x [N, D] (patch features) -> standardise (fixed per-feature mean and std) -> linear D->H
//   -> ReLU -> linear H->K -> K class logits per patch (class 0: background).
// Each row is one patch of a feature grid, so the head is a 1x1-convolution network over the
// grid; the patch features already carry their 3x3 neighbourhood and the stride-16 context.
// Forward and backward live here; the training loop (data, optimizer, schedule) does not.
import Tensors
import SeededRandom

public final class PatchSegmentationHead {
    /// Per-feature mean and standard deviation of the training patches (fixed, not trained).
    public let featureMean: Tensor
    public let featureStd: Tensor
    public let hiddenWeight: Parameter
    public let hiddenBias: Parameter
    public let outputWeight: Parameter
    public let outputBias: Parameter

    public var inputs: Int { hiddenWeight.value.shape[1] }
    public var hidden: Int { hiddenWeight.value.shape[0] }
    public var classes: Int { outputWeight.value.shape[0] }

    /// Every trainable tensor, in a fixed order (the optimizers keep state in this order).
    public var parameters: [Parameter] { [hiddenWeight, hiddenBias, outputWeight, outputBias] }

    /// Fresh weights: He-normal hidden layer (std sqrt(2 / D)), a small output layer.
    public init(featureMean: [Float], featureStd: [Float], hidden: Int, classes: Int, seed: UInt64) {
        precondition(featureMean.count == featureStd.count && hidden > 0 && classes >= 2,
                     "PatchSegmentationHead: \(featureMean.count) means, \(featureStd.count) stds, \(hidden) hidden, \(classes) classes")
        let d = featureMean.count
        var rng = SeededGenerator(seed: seed)
        self.featureMean = Tensor(shape: [d], data: featureMean)
        self.featureStd = Tensor(shape: [d], data: featureStd.map { max($0, 1e-6) })
        hiddenWeight = Parameter(Tensor.randomNormal(shape: [hidden, d], std: (2 / Float(d)).squareRoot(), using: &rng))
        hiddenBias = Parameter(Tensor(shape: [hidden]), decays: false)
        outputWeight = Parameter(Tensor.randomNormal(shape: [classes, hidden], std: 0.01, using: &rng))
        outputBias = Parameter(Tensor(shape: [classes]), decays: false)
    }

    /// The tensors' names and shapes for `inputs` features, `hidden` units and `classes` classes.
    public static func tensorShapes(inputs: Int, hidden: Int, classes: Int) -> [(name: String, shape: [Int])] {
        [("feature_mean", [inputs]), ("feature_std", [inputs]), ("hidden.weight", [hidden, inputs]), ("hidden.bias", [hidden]),
         ("output.weight", [classes, hidden]), ("output.bias", [classes])]
    }

    /// Named tensors for saving, and `init(tensors:)` to load them back.
    public var namedTensors: [(name: String, tensor: Tensor)] {
        [("feature_mean", featureMean), ("feature_std", featureStd), ("hidden.weight", hiddenWeight.value),
         ("hidden.bias", hiddenBias.value), ("output.weight", outputWeight.value), ("output.bias", outputBias.value)]
    }

    /// From the named tensors of `tensorShapes` (shapes checked by the caller).
    public init(tensors: [String: Tensor]) {
        func take(_ name: String) -> Tensor { tensors[name] ?? Tensor(shape: [0]) }
        featureMean = take("feature_mean")
        featureStd = take("feature_std")
        hiddenWeight = Parameter(take("hidden.weight"))
        hiddenBias = Parameter(take("hidden.bias"), decays: false)
        outputWeight = Parameter(take("output.weight"))
        outputBias = Parameter(take("output.bias"), decays: false)
    }

    /// (x - mean) / std, row by row.
    func standardised(_ x: Tensor) -> Tensor {
        precondition(x.rank == 2 && x.shape[1] == inputs, "PatchSegmentationHead: input must be [N, \(inputs)], got \(x.shape)")
        let out = Tensor(shape: x.shape)
        let d = inputs
        for r in 0..<x.shape[0] {
            for j in 0..<d { out.data[r * d + j] = (x.data[r * d + j] - featureMean.data[j]) / featureStd.data[j] }
        }
        return out
    }

    /// Class logits [N, K] of patch features [N, D].
    public func logits(_ x: Tensor) -> Tensor {
        let h = linear(standardised(x), weight: hiddenWeight.value, bias: hiddenBias.value, activation: .relu)
        return linear(h, weight: outputWeight.value, bias: outputBias.value)
    }

    /// Class probabilities [N, K] (softmax of the logits).
    public func probabilities(_ x: Tensor) -> Tensor { softmax(logits(x)) }

    /// One training step's forward and backward on patches `x` [N, D] with target class
    /// distributions [N, K]: `loss` gives the loss and its gradient with respect to the logits;
    /// the parameters' gradients are set (not accumulated). Returns the loss.
    @discardableResult
    public func trainingPass(_ x: Tensor, targets: Tensor, loss: (Tensor, Tensor) -> (loss: Float, gradient: Tensor)) -> Float {
        let input = standardised(x)
        let h = linear(input, weight: hiddenWeight.value, bias: hiddenBias.value, activation: .relu)
        let z = linear(h, weight: outputWeight.value, bias: outputBias.value)
        let (value, dz) = loss(z, targets)
        let output = linearBackward(h, weight: outputWeight.value, gradOutput: dz)
        let dh = activationBackward(output: h, gradOutput: output.input, .relu)
        let hiddenGrads = linearBackward(input, weight: hiddenWeight.value, gradOutput: dh)
        hiddenWeight.gradient.data.update(from: hiddenGrads.weight.data, count: hiddenWeight.gradient.count)
        hiddenBias.gradient.data.update(from: hiddenGrads.bias.data, count: hiddenBias.gradient.count)
        outputWeight.gradient.data.update(from: output.weight.data, count: outputWeight.gradient.count)
        outputBias.gradient.data.update(from: output.bias.data, count: outputBias.gradient.count)
        return value
    }
}
