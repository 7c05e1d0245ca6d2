// A small binary classification head over a frozen feature map, trainable on our kernels:
//   x [N, h, w, Cin] -> 1x1 convolution -> BatchNorm -> ReLU6 -> [global average pool,
//   global max pool] concatenated [N, 2C] -> linear -> one logit per image.
// The 1x1 convolution can start from a network's own last layer (for EfficientNet-Lite0 its
// 320->1280 head convolution, so fine-tuning it fine-tunes the network's last stage), or from
// fresh weights. Average pooling sees the whole item; max pooling lets one small defect decide.
// Forward and backward live here; the training loop (data, optimizer, schedule) does not.
import Tensors
import SeededRandom

public final class ConvPoolingHead {
    /// 1x1 convolution weights [1, 1, Cin, C] (no bias: BatchNorm's beta is the bias).
    public let convWeight: Parameter
    public let gamma: Parameter
    public let beta: Parameter
    public let runningMean: Tensor
    public let runningVariance: Tensor
    /// Linear weights [1, 2C] (average-pooled features first) and bias [1].
    public let linearWeight: Parameter
    public let linearBias: Parameter
    public static let batchNormEpsilon: Float = 1e-3

    public var inputChannels: Int { convWeight.value.shape[2] }
    public var width: Int { convWeight.value.shape[3] }

    /// Every trainable tensor, in a fixed order (the optimizers keep state in this order).
    public var parameters: [Parameter] { [convWeight, gamma, beta, linearWeight, linearBias] }

    /// Starts from a pretrained 1x1 convolution with its BatchNorm; the linear layer starts
    /// with small seeded random weights.
    public init(startingFrom layer: ConvBatchNorm, seed: UInt64) {
        precondition(layer.weight.shape[0] == 1 && layer.weight.shape[1] == 1, "ConvPoolingHead: needs a 1x1 convolution, got \(layer.weight.shape)")
        convWeight = Parameter(layer.weight.copy())
        gamma = Parameter(layer.batchNorm.gamma.copy(), decays: false)
        beta = Parameter(layer.batchNorm.beta.copy(), decays: false)
        runningMean = layer.batchNorm.mean.copy()
        runningVariance = layer.batchNorm.variance.copy()
        var rng = SeededGenerator(seed: seed)
        let c = layer.weight.shape[3]
        linearWeight = Parameter(Tensor.randomNormal(shape: [1, 2 * c], std: 0.01, using: &rng))
        linearBias = Parameter(Tensor(shape: [1]), decays: false)
    }

    /// Fresh weights: He-normal convolution (std sqrt(2 / Cin)), BatchNorm at identity.
    public init(inputChannels: Int, width: Int, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        convWeight = Parameter(Tensor.randomNormal(shape: [1, 1, inputChannels, width], std: (2 / Float(inputChannels)).squareRoot(), using: &rng))
        gamma = Parameter(Tensor(shape: [width], repeating: 1), decays: false)
        beta = Parameter(Tensor(shape: [width]), decays: false)
        runningMean = Tensor(shape: [width])
        runningVariance = Tensor(shape: [width], repeating: 1)
        linearWeight = Parameter(Tensor.randomNormal(shape: [1, 2 * width], std: 0.01, using: &rng))
        linearBias = Parameter(Tensor(shape: [1]), decays: false)
    }

    /// Named tensors for saving, and `init(tensors:)` to load them back.
    public var namedTensors: [(name: String, tensor: Tensor)] {
        [("conv.weight", convWeight.value), ("bn.gamma", gamma.value), ("bn.beta", beta.value),
         ("bn.running_mean", runningMean), ("bn.running_var", runningVariance),
         ("linear.weight", linearWeight.value), ("linear.bias", linearBias.value)]
    }

    /// Shapes of `namedTensors` for a head of `inputChannels` -> `width`.
    public static func tensorShapes(inputChannels: Int, width: Int) -> [(name: String, shape: [Int])] {
        [("conv.weight", [1, 1, inputChannels, width]), ("bn.gamma", [width]), ("bn.beta", [width]),
         ("bn.running_mean", [width]), ("bn.running_var", [width]), ("linear.weight", [1, 2 * width]), ("linear.bias", [1])]
    }

    /// A head from tensors named and shaped as `tensorShapes` says (checked by the caller).
    public init(tensors: [String: Tensor]) {
        func t(_ name: String) -> Tensor { tensors[name] ?? Tensor(shape: [0]) }
        convWeight = Parameter(t("conv.weight"))
        gamma = Parameter(t("bn.gamma"), decays: false)
        beta = Parameter(t("bn.beta"), decays: false)
        runningMean = t("bn.running_mean")
        runningVariance = t("bn.running_var")
        linearWeight = Parameter(t("linear.weight"))
        linearBias = Parameter(t("linear.bias"), decays: false)
    }

    /// Inference: logits [N] with BatchNorm's running statistics folded into the convolution
    /// (folded on every call, for use during training; `FoldedConvPoolingHead` folds once).
    public func logits(_ x: Tensor) -> [Float] { FoldedConvPoolingHead(self).logits(x) }

    /// [N, h, w, C] features -> pooled [N, 2C] (average, then max) -> logits [N, 1].
    static func classify(_ features: Tensor, weight: Tensor, bias: Tensor) -> Tensor {
        let pooled = concat([globalAvgPool(features), globalMaxPool(features)], axis: 1)
        return linear(pooled, weight: weight, bias: bias)
    }

    /// One training pass on a batch: BatchNorm in training mode (batch statistics; the running
    /// statistics move towards them unless `updateStatistics` is false), binary cross entropy
    /// against `targets` (0 good, 1 anomalous), and the gradients of every parameter written
    /// into `gradient` (replacing what was there). Returns the mean loss.
    @discardableResult
    public func trainingPass(_ x: Tensor, targets: [Float], updateStatistics: Bool = true) -> Float {
        let n = x.shape[0], c = width
        let conv = conv2d(x, weight: convWeight.value)
        let (mean, variance) = updateStatistics ? (runningMean, runningVariance) : (runningMean.copy(), runningVariance.copy())
        let (normalized, cache) = batchNormTraining(conv, gamma: gamma.value, beta: beta.value, runningMean: mean,
                                                    runningVariance: variance, momentum: 0.1, epsilon: Self.batchNormEpsilon)
        let features = activation(normalized, .relu6)
        let pooled = concat([globalAvgPool(features), globalMaxPool(features)], axis: 1)
        let logits = linear(pooled, weight: linearWeight.value, bias: linearBias.value)
        let (loss, dLogits) = binaryCrossEntropyWithLogits(logits, targets: Tensor(shape: [n, 1], data: targets))
        // Backward, layer by layer in reverse.
        let dLinear = linearBackward(pooled, weight: linearWeight.value, gradOutput: dLogits)
        linearWeight.gradient.data.update(from: dLinear.weight.data, count: linearWeight.gradient.count)
        linearBias.gradient.data.update(from: dLinear.bias.data, count: 1)
        let dAverage = Tensor(shape: [n, c]), dMax = Tensor(shape: [n, c])
        for i in 0..<n {
            (dAverage.data + i * c).update(from: dLinear.input.data + i * 2 * c, count: c)
            (dMax.data + i * c).update(from: dLinear.input.data + i * 2 * c + c, count: c)
        }
        let dFeatures = add(globalAvgPoolBackward(inputShape: features.shape, gradOutput: dAverage),
                            globalMaxPoolBackward(features, gradOutput: dMax))
        let dNormalized = activationBackward(output: features, gradOutput: dFeatures, .relu6)
        let dBatchNorm = batchNormTrainingBackward(gradOutput: dNormalized, gamma: gamma.value, cache: cache)
        gamma.gradient.data.update(from: dBatchNorm.gamma.data, count: c)
        beta.gradient.data.update(from: dBatchNorm.beta.data, count: c)
        let dConv = conv2dBackward(x, weight: convWeight.value, gradOutput: dBatchNorm.input, needInputGradient: false)
        convWeight.gradient.data.update(from: dConv.weight.data, count: convWeight.gradient.count)
        return loss
    }
}

/// A head frozen for inference: BatchNorm's running statistics folded into the 1x1 convolution
/// once and its weights packed for the GEMM (a loaded model's head scores every image; folding
/// and packing 320 x 1280 weights per image showed in the scoring profile). The same logits as
/// `ConvPoolingHead.logits` (a prepacked GEMM gives the unpacked one's values).
public struct FoldedConvPoolingHead: Sendable {
    /// The 1x1 convolution with BatchNorm folded in, and ReLU6.
    let conv: Conv2D
    let linearWeight: Tensor
    let linearBias: Tensor

    public init(_ head: ConvPoolingHead) {
        let layer = ConvBatchNorm(weight: head.convWeight.value,
                                  batchNorm: BatchNormParameters(gamma: head.gamma.value, beta: head.beta.value,
                                                                 mean: head.runningMean, variance: head.runningVariance))
        conv = Conv2D(folding: layer, epsilon: ConvPoolingHead.batchNormEpsilon, activation: .relu6)
        linearWeight = head.linearWeight.value.copy()
        linearBias = head.linearBias.value.copy()
    }

    /// Logits [N] of feature maps [N, h, w, Cin].
    public func logits(_ x: Tensor) -> [Float] {
        precondition(x.rank == 4, "FoldedConvPoolingHead: input must be [N, h, w, C], got \(x.shape)")
        precondition(x.shape[3] == conv.weight.shape[2],
                     "FoldedConvPoolingHead: input has \(x.shape[3]) channels, the head takes \(conv.weight.shape[2])")
        return ConvPoolingHead.classify(conv(x), weight: linearWeight, bias: linearBias).scalars
    }
}
