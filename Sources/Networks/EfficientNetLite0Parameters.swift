// EfficientNet-Lite0's parameters in trainable form (convolutions and unfolded BatchNorm),
// loaded from Models/efficientnet-lite0.safetensors. Names follow the source checkpoint
// (lukemelas/EfficientNet-PyTorch naming); tensors are in our layouts: convolution weights
// HWIO [KH, KW, Cin, Cout], depthwise [KH, KW, 1, C], the classifier [out, in].
import Tensors

public struct MBConvParameters {
    public let spec: MBConvSpec
    public var expand: ConvBatchNorm?
    public var depthwise: ConvBatchNorm
    public var project: ConvBatchNorm
}

public struct EfficientNetLite0Parameters {
    public var stem: ConvBatchNorm
    public var blocks: [MBConvParameters]
    public var head: ConvBatchNorm
    /// Classifier weight [1000, 1280] and bias [1000].
    public var classifierWeight: Tensor
    public var classifierBias: Tensor

    /// Reads every tensor, checking names and shapes against the architecture.
    public init(_ file: SafetensorsFile) throws {
        func tensor(_ name: String, _ shape: [Int]) throws -> Tensor {
            Tensor(shape: shape, data: try file.floats(name, shape: shape))
        }
        func convBN(_ conv: String, _ bn: String, kernel: Int, cin: Int, cout: Int) throws -> ConvBatchNorm {
            ConvBatchNorm(weight: try tensor(conv + ".weight", [kernel, kernel, cin, cout]),
                          batchNorm: BatchNormParameters(gamma: try tensor(bn + ".weight", [cout]),
                                                         beta: try tensor(bn + ".bias", [cout]),
                                                         mean: try tensor(bn + ".running_mean", [cout]),
                                                         variance: try tensor(bn + ".running_var", [cout])))
        }
        let a = EfficientNetLite0Architecture.self
        stem = try convBN("_conv_stem", "_bn0", kernel: 3, cin: a.inputChannels, cout: a.stemChannels)
        blocks = try a.blocks.enumerated().map { index, spec in
            let p = "_blocks.\(index)."
            let mid = spec.expandedChannels
            return MBConvParameters(
                spec: spec,
                expand: spec.hasExpansion
                    ? try convBN(p + "_expand_conv", p + "_bn0", kernel: 1, cin: spec.inputChannels, cout: mid) : nil,
                depthwise: try convBN(p + "_depthwise_conv", p + "_bn1", kernel: spec.kernel, cin: 1, cout: mid),
                project: try convBN(p + "_project_conv", p + "_bn2", kernel: 1, cin: mid, cout: spec.outputChannels))
        }
        head = try convBN("_conv_head", "_bn1", kernel: 1, cin: a.blocks[a.blocks.count - 1].outputChannels,
                          cout: a.headChannels)
        classifierWeight = try tensor("_fc.weight", [a.classes, a.headChannels])
        classifierBias = try tensor("_fc.bias", [a.classes])
    }

    public init(contentsOf path: String) throws {
        try self.init(SafetensorsFile(contentsOf: path))
    }
}
