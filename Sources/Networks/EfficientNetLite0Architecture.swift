// The shape of EfficientNet-Lite0 (Tan & Le, "EfficientNet: Rethinking Model Scaling for
// Convolutional Neural Networks", ICML 2019; the TensorFlow EfficientNet-Lite variant): a 3x3
// stride-2 stem, 16 MBConv blocks (inverted residuals of Sandler et al. 2018) in 7 stages,
// a 1x1 head to 1280 channels, global average pooling and a 1000-way linear classifier.
// Lite differs from B0 by having no squeeze-and-excitation, ReLU6 instead of swish, and a
// stem and head whose widths are not scaled. Every convolution uses TensorFlow "SAME" padding
// and every BatchNorm epsilon 1e-3, as in the TF checkpoint the weights come from.

/// One MBConv block: [1x1 expand + BN + ReLU6] -> KxK depthwise + BN + ReLU6 -> 1x1 project
/// + BN, plus the input when stride is 1 and the widths match.
public struct MBConvSpec: Sendable, Equatable {
    public let inputChannels: Int
    public let outputChannels: Int
    public let kernel: Int
    public let stride: Int
    public let expansion: Int

    public var expandedChannels: Int { inputChannels * expansion }
    public var hasExpansion: Bool { expansion != 1 }
    public var hasResidual: Bool { stride == 1 && inputChannels == outputChannels }
}

/// Points of the network whose output can be read as features (NHWC).
public enum EfficientNetLite0Tap: String, Sendable, CaseIterable, Comparable {
    /// After stage 1 (block 0): 112x112x16 at 224 input.
    case stride2
    /// After stage 2 (block 2): 56x56x24.
    case stride4
    /// After stage 3 (block 4): 28x28x40.
    case stride8
    /// After stage 5 (block 10): 14x14x112, the widest map at stride 16.
    case stride16
    /// After stage 7 (block 15): 7x7x320, the last block.
    case stride32
    /// After the 1x1 head convolution + BN + ReLU6: 7x7x1280, the map that is pooled for the classifier.
    case head

    /// Index of the block after which the tap is read (`head` comes after all blocks).
    public var blockIndex: Int {
        switch self {
        case .stride2: return 0
        case .stride4: return 2
        case .stride8: return 4
        case .stride16: return 10
        case .stride32: return 15
        case .head: return EfficientNetLite0Architecture.blocks.count
        }
    }

    public var channels: Int {
        self == .head ? EfficientNetLite0Architecture.headChannels
                      : EfficientNetLite0Architecture.blocks[blockIndex].outputChannels
    }

    /// Spatial downsampling of the tap relative to the input.
    public var outputStride: Int {
        switch self {
        case .stride2: return 2
        case .stride4: return 4
        case .stride8: return 8
        case .stride16: return 16
        case .stride32, .head: return 32
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.blockIndex < b.blockIndex }
}

public enum EfficientNetLite0Architecture {
    public static let inputSize = 224
    public static let inputChannels = 3
    public static let stemChannels = 32
    public static let headChannels = 1280
    public static let classes = 1000
    public static let batchNormEpsilon: Float = 1e-3

    /// (repeats, kernel, first stride, expansion, output channels) of the seven stages.
    static let stages: [(repeats: Int, kernel: Int, stride: Int, expansion: Int, channels: Int)] = [
        (1, 3, 1, 1, 16), (2, 3, 2, 6, 24), (2, 5, 2, 6, 40), (3, 3, 2, 6, 80),
        (3, 5, 1, 6, 112), (4, 5, 2, 6, 192), (1, 3, 1, 6, 320),
    ]

    /// The 16 blocks in order.
    public static let blocks: [MBConvSpec] = {
        var specs: [MBConvSpec] = []
        var channels = stemChannels
        for stage in stages {
            for i in 0..<stage.repeats {
                specs.append(MBConvSpec(inputChannels: channels, outputChannels: stage.channels, kernel: stage.kernel,
                                        stride: i == 0 ? stage.stride : 1, expansion: stage.expansion))
                channels = stage.channels
            }
        }
        return specs
    }()

    /// Multiply-adds of one forward pass (logits) of a `height` x `width` image: for each
    /// convolution, output pixels x output channels x (kernel area x input channels per
    /// group), the output side being ceil(input side / stride) under "SAME" padding; plus the
    /// classifier's 1280 x 1000. Pooling, biases and activations are left out. At 224 x 224
    /// this is 0.385 G multiply-adds (0.77 GFLOP, an FMA counting as 2 operations).
    public static func multiplyAdds(height: Int, width: Int) -> Int {
        func out(_ side: Int, _ stride: Int) -> Int { (side + stride - 1) / stride }
        var (h, w) = (out(height, 2), out(width, 2))
        var total = h * w * stemChannels * 3 * 3 * inputChannels
        for block in blocks {
            if block.hasExpansion { total += h * w * block.inputChannels * block.expandedChannels }
            (h, w) = (out(h, block.stride), out(w, block.stride))
            total += h * w * block.expandedChannels * block.kernel * block.kernel
            total += h * w * block.expandedChannels * block.outputChannels
        }
        let last = blocks.last?.outputChannels ?? stemChannels
        return total + h * w * last * headChannels + headChannels * classes
    }
}
