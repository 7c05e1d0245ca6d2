// Convolution layers for inference, and the trainable convolution + BatchNorm they fold from.
// The arithmetic is Tensors' (`conv2d`, the prepacked `sgemm`); a layer holds its weights in
// the form its kernel reads fastest.
import Tensors

/// BatchNorm's learned affine parameters and running statistics for one layer.
public struct BatchNormParameters {
    public var gamma: Tensor
    public var beta: Tensor
    public var mean: Tensor
    public var variance: Tensor
}

/// A bias-free convolution followed by BatchNorm: the trainable form of a `Conv2D`.
public struct ConvBatchNorm {
    public var weight: Tensor
    public var batchNorm: BatchNormParameters
}

/// A 2-D convolution over NHWC maps: y = activation(conv(x, weight) + bias), weights HWIO
/// [KH, KW, Cin / groups, Cout] (depthwise: [KH, KW, 1, C] with groups == C).
///
/// A 1x1 convolution with stride 1, no padding and one group is a GEMM of the
/// [N*H*W, Cin] input by the [Cin, Cout] weights; those weights are packed once, at init,
/// into the GEMM's panel layout (the same values as packing them per call). The weights of
/// any other one-group convolution, the [KH*KW*Cin, Cout] operand of its im2col GEMM, are
/// packed once at init too, instead of once per band of every call.
public struct Conv2D: Sendable {
    public let weight: Tensor
    public let bias: Tensor
    public let config: Conv2DConfig
    public let activation: Activation
    /// The weights as a prepacked GEMM operand [Cin, Cout], for pointwise convolutions.
    public let pointwise: PackedMatrix?
    /// The weights as a prepacked [KH*KW*Cin, Cout] GEMM operand, for the other one-group
    /// convolutions (im2col).
    let patchWeights: PackedMatrix?

    public init(weight: Tensor, bias: Tensor, config: Conv2DConfig = Conv2DConfig(), activation: Activation = .none) {
        precondition(weight.rank == 4 && bias.count == weight.shape[3],
                     "Conv2D: weight must be [KH, KW, Cin/groups, Cout] with a bias of Cout, got \(weight.shape) and \(bias.count)")
        self.weight = weight
        self.bias = bias
        self.config = config
        self.activation = activation
        let unpadded = config.padding == .valid || config.padding == .same || config.padding == .explicit(.zero)
        let isPointwise = weight.shape[0] == 1 && weight.shape[1] == 1 && config.strideH == 1 && config.strideW == 1
            && config.groups == 1 && unpadded
        pointwise = isPointwise ? PackedMatrix(weight) : nil
        patchWeights = !isPointwise && config.groups == 1 ? PackedMatrix(weight) : nil
    }

    /// Folds inference BatchNorm into the convolution (`foldBatchNorm`): the running statistics
    /// become a per-channel scale of the weights and a bias.
    public init(folding layer: ConvBatchNorm, epsilon: Float, config: Conv2DConfig = Conv2DConfig(),
                activation: Activation = .none) {
        let bn = layer.batchNorm
        let (weight, bias) = foldBatchNorm(weight: layer.weight, bias: nil, gamma: bn.gamma, beta: bn.beta, mean: bn.mean,
                                           variance: bn.variance, epsilon: epsilon)
        self.init(weight: weight, bias: bias, config: config, activation: activation)
    }

    /// Loads `prefix.weight` [kernel, kernel, cin, cout] (HWIO) and `prefix.bias` [cout],
    /// failing with the file and tensor named when either is missing or mis-shaped.
    public init(_ file: SafetensorsFile, _ prefix: String, kernel: Int, cin: Int, cout: Int,
                config: Conv2DConfig = Conv2DConfig(), activation: Activation = .none) throws {
        self.init(weight: try file.tensor(prefix + ".weight", shape: [kernel, kernel, cin, cout]),
                  bias: try file.tensor(prefix + ".bias", shape: [cout]), config: config, activation: activation)
    }

    public var outputChannels: Int { weight.shape[3] }

    /// The convolution of `x` ([N, H, W, Cin]), written into `out` when given.
    @discardableResult
    public func callAsFunction(_ x: Tensor, out: Tensor? = nil) -> Tensor {
        guard let pointwise else {
            return conv2d(x, weight: weight, packedWeight: patchWeights, bias: bias, config: config,
                          activation: activation, out: out)
        }
        precondition(x.rank == 4 && x.shape[3] == pointwise.rows,
                     "Conv2D: input must be [N, H, W, \(pointwise.rows)], got \(x.shape)")
        let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let y = Tensor.uninitializedOutput(out, shape: [n, h, w, outputChannels])   // beta 0: every element written
        sgemm(m: n * h * w, a: x.data, lda: c, packedB: pointwise, c: y.data, ldc: outputChannels,
              bias: bias.data, activation: activation)
        return y
    }
}

extension Conv2D {
    /// The layer as the 1x1 stage of `invertedResidual`, when it is pointwise.
    public var pointwiseStage: PointwiseStage? {
        pointwise.map { PointwiseStage(weights: $0, bias: bias, activation: activation) }
    }

    /// The layer as the depthwise stage of `invertedResidual`.
    public var depthwiseStage: DepthwiseStage {
        DepthwiseStage(weight: weight, bias: bias, config: config, activation: activation)
    }
}
