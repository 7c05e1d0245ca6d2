import Tensors

// MTCNN (Zhang, Zhang, Li and Qiao, "Joint Face Detection and Alignment using Multi-task
// Cascaded Convolutional Networks", 2016): three small CNNs with PReLU, weights from the
// facenet-pytorch wheel converted by tools/models/convert_mtcnn.py (HWIO convs, [out, in] dense with
// NHWC flatten order). Inputs are NHWC, normalised as (byte - 127.5) / 128.

/// A convolution (valid padding, stride 1) optionally followed by PReLU.
struct MTCNNConv {
    let weight, bias: Tensor
    let slopes: Tensor?
    init(_ file: SafetensorsFile, _ net: String, _ name: String, kernel: Int, cin: Int, cout: Int, prelu: String?) throws {
        weight = try file.tensor("\(net).\(name).weight", shape: [kernel, kernel, cin, cout])
        bias = try file.tensor("\(net).\(name).bias", shape: [cout])
        slopes = try prelu.map { try file.tensor("\(net).\($0).weight", shape: [cout]) }
    }
    func callAsFunction(_ x: Tensor) -> Tensor {
        let y = conv2d(x, weight: weight, bias: bias)
        if let slopes { preluInPlace(y, slopes: slopes) }
        return y
    }
}

/// A fully connected layer optionally followed by PReLU.
struct MTCNNDense {
    let weight, bias: Tensor
    let slopes: Tensor?
    init(_ file: SafetensorsFile, _ net: String, _ name: String, inputs: Int, outputs: Int, prelu: String?) throws {
        weight = try file.tensor("\(net).\(name).weight", shape: [outputs, inputs])
        bias = try file.tensor("\(net).\(name).bias", shape: [outputs])
        slopes = try prelu.map { try file.tensor("\(net).\($0).weight", shape: [outputs]) }
    }
    func callAsFunction(_ x: Tensor) -> Tensor {
        let y = linear(x, weight: weight, bias: bias)
        if let slopes { preluInPlace(y, slopes: slopes) }
        return y
    }
}

/// Proposal network: fully convolutional; each output cell scores the 12x12 window at
/// stride 2 of its input. Returns face probability [N, H', W', 1] and box offsets [N, H', W', 4].
public struct MTCNNProposalNetwork: Sendable {
    let conv1, conv2, conv3, score, offsets: MTCNNConv
    public init(weights file: SafetensorsFile) throws {
        conv1 = try MTCNNConv(file, "pnet", "conv1", kernel: 3, cin: 3, cout: 10, prelu: "prelu1")
        conv2 = try MTCNNConv(file, "pnet", "conv2", kernel: 3, cin: 10, cout: 16, prelu: "prelu2")
        conv3 = try MTCNNConv(file, "pnet", "conv3", kernel: 3, cin: 16, cout: 32, prelu: "prelu3")
        score = try MTCNNConv(file, "pnet", "conv4_1", kernel: 1, cin: 32, cout: 2, prelu: nil)
        offsets = try MTCNNConv(file, "pnet", "conv4_2", kernel: 1, cin: 32, cout: 4, prelu: nil)
    }
    public func callAsFunction(_ x: Tensor) -> (probabilities: Tensor, offsets: Tensor) {
        let features = conv3(conv2(maxPool2dCeil(conv1(x), kernel: 2, stride: 2)))
        return (softmax(score(features)), offsets(features))
    }
}

/// Refinement network on 24x24 crops: face probability [N, 2] and box offsets [N, 4].
public struct MTCNNRefineNetwork: Sendable {
    let conv1, conv2, conv3: MTCNNConv
    let dense4, score, offsets: MTCNNDense
    public init(weights file: SafetensorsFile) throws {
        conv1 = try MTCNNConv(file, "rnet", "conv1", kernel: 3, cin: 3, cout: 28, prelu: "prelu1")
        conv2 = try MTCNNConv(file, "rnet", "conv2", kernel: 3, cin: 28, cout: 48, prelu: "prelu2")
        conv3 = try MTCNNConv(file, "rnet", "conv3", kernel: 2, cin: 48, cout: 64, prelu: "prelu3")
        dense4 = try MTCNNDense(file, "rnet", "dense4", inputs: 576, outputs: 128, prelu: "prelu4")
        score = try MTCNNDense(file, "rnet", "dense5_1", inputs: 128, outputs: 2, prelu: nil)
        offsets = try MTCNNDense(file, "rnet", "dense5_2", inputs: 128, outputs: 4, prelu: nil)
    }
    public func callAsFunction(_ x: Tensor) -> (probabilities: Tensor, offsets: Tensor) {
        var y = maxPool2dCeil(conv1(x), kernel: 3, stride: 2)
        y = conv3(maxPool2dCeil(conv2(y), kernel: 3, stride: 2))
        y.reshape(to: [x.shape[0], 576])
        let hidden = dense4(y)
        return (softmax(score(hidden)), offsets(hidden))
    }
}

/// Output network on 48x48 crops: face probability [N, 2], box offsets [N, 4] and five
/// landmarks [N, 10] (x0...x4, y0...y4 as fractions of the box).
public struct MTCNNOutputNetwork: Sendable {
    let conv1, conv2, conv3, conv4: MTCNNConv
    let dense5, score, offsets, landmarks: MTCNNDense
    public init(weights file: SafetensorsFile) throws {
        conv1 = try MTCNNConv(file, "onet", "conv1", kernel: 3, cin: 3, cout: 32, prelu: "prelu1")
        conv2 = try MTCNNConv(file, "onet", "conv2", kernel: 3, cin: 32, cout: 64, prelu: "prelu2")
        conv3 = try MTCNNConv(file, "onet", "conv3", kernel: 3, cin: 64, cout: 64, prelu: "prelu3")
        conv4 = try MTCNNConv(file, "onet", "conv4", kernel: 2, cin: 64, cout: 128, prelu: "prelu4")
        dense5 = try MTCNNDense(file, "onet", "dense5", inputs: 1152, outputs: 256, prelu: "prelu5")
        score = try MTCNNDense(file, "onet", "dense6_1", inputs: 256, outputs: 2, prelu: nil)
        offsets = try MTCNNDense(file, "onet", "dense6_2", inputs: 256, outputs: 4, prelu: nil)
        landmarks = try MTCNNDense(file, "onet", "dense6_3", inputs: 256, outputs: 10, prelu: nil)
    }
    public func callAsFunction(_ x: Tensor) -> (probabilities: Tensor, offsets: Tensor, landmarks: Tensor) {
        var y = maxPool2dCeil(conv1(x), kernel: 3, stride: 2)
        y = maxPool2dCeil(conv2(y), kernel: 3, stride: 2)
        y = conv4(maxPool2dCeil(conv3(y), kernel: 2, stride: 2))
        y.reshape(to: [x.shape[0], 1152])
        let hidden = dense5(y)
        return (softmax(score(hidden)), offsets(hidden), landmarks(hidden))
    }
}
