import Tensors

// MTCNN (Zhang, Zhang, Li and Qiao, "Joint Face Detection and Alignment using Multi-task
// Cascaded Convolutional Networks", 2016): three small CNNs with PReLU, weights from the
// facenet-pytorch wheel converted by tools/models/convert_mtcnn.py (HWIO convs, [out, in] dense with
// NHWC flatten order). Inputs are NHWC, normalised as (byte - 127.5) / 128. Convolutions have
// valid padding and stride 1; all but the output layers are followed by PReLU.

/// Proposal network: fully convolutional; each output cell scores the 12x12 window at
/// stride 2 of its input. Returns face probability [N, H', W', 1] and box offsets [N, H', W', 4].
public struct MTCNNProposalNetwork: Sendable {
    let conv1, conv2, conv3, score, offsets: Conv2D
    let prelu1, prelu2, prelu3: PReLU
    public init(weights file: SafetensorsFile) throws {
        conv1 = try Conv2D(file, "pnet.conv1", kernel: 3, cin: 3, cout: 10)
        prelu1 = try PReLU(file, "pnet.prelu1", channels: 10)
        conv2 = try Conv2D(file, "pnet.conv2", kernel: 3, cin: 10, cout: 16)
        prelu2 = try PReLU(file, "pnet.prelu2", channels: 16)
        conv3 = try Conv2D(file, "pnet.conv3", kernel: 3, cin: 16, cout: 32)
        prelu3 = try PReLU(file, "pnet.prelu3", channels: 32)
        score = try Conv2D(file, "pnet.conv4_1", kernel: 1, cin: 32, cout: 2)
        offsets = try Conv2D(file, "pnet.conv4_2", kernel: 1, cin: 32, cout: 4)
    }
    public func callAsFunction(_ x: Tensor) -> (probabilities: Tensor, offsets: Tensor) {
        let features = prelu3(conv3(prelu2(conv2(maxPool2dCeil(prelu1(conv1(x)), kernel: 2, stride: 2)))))
        return (softmax(score(features)), offsets(features))
    }
}

/// Refinement network on 24x24 crops: face probability [N, 2] and box offsets [N, 4].
public struct MTCNNRefineNetwork: Sendable {
    let conv1, conv2, conv3: Conv2D
    let prelu1, prelu2, prelu3, prelu4: PReLU
    let dense4, score, offsets: Dense
    public init(weights file: SafetensorsFile) throws {
        conv1 = try Conv2D(file, "rnet.conv1", kernel: 3, cin: 3, cout: 28)
        prelu1 = try PReLU(file, "rnet.prelu1", channels: 28)
        conv2 = try Conv2D(file, "rnet.conv2", kernel: 3, cin: 28, cout: 48)
        prelu2 = try PReLU(file, "rnet.prelu2", channels: 48)
        conv3 = try Conv2D(file, "rnet.conv3", kernel: 2, cin: 48, cout: 64)
        prelu3 = try PReLU(file, "rnet.prelu3", channels: 64)
        dense4 = try Dense(file, "rnet.dense4", inputs: 576, outputs: 128)
        prelu4 = try PReLU(file, "rnet.prelu4", channels: 128)
        score = try Dense(file, "rnet.dense5_1", inputs: 128, outputs: 2)
        offsets = try Dense(file, "rnet.dense5_2", inputs: 128, outputs: 4)
    }
    public func callAsFunction(_ x: Tensor) -> (probabilities: Tensor, offsets: Tensor) {
        var y = maxPool2dCeil(prelu1(conv1(x)), kernel: 3, stride: 2)
        y = prelu3(conv3(maxPool2dCeil(prelu2(conv2(y)), kernel: 3, stride: 2)))
        y.reshape(to: [x.shape[0], 576])
        let hidden = prelu4(dense4(y))
        return (softmax(score(hidden)), offsets(hidden))
    }
}

/// Output network on 48x48 crops: face probability [N, 2], box offsets [N, 4] and five
/// landmarks [N, 10] (x0...x4, y0...y4 as fractions of the box).
public struct MTCNNOutputNetwork: Sendable {
    let conv1, conv2, conv3, conv4: Conv2D
    let prelu1, prelu2, prelu3, prelu4, prelu5: PReLU
    let dense5, score, offsets, landmarks: Dense
    public init(weights file: SafetensorsFile) throws {
        conv1 = try Conv2D(file, "onet.conv1", kernel: 3, cin: 3, cout: 32)
        prelu1 = try PReLU(file, "onet.prelu1", channels: 32)
        conv2 = try Conv2D(file, "onet.conv2", kernel: 3, cin: 32, cout: 64)
        prelu2 = try PReLU(file, "onet.prelu2", channels: 64)
        conv3 = try Conv2D(file, "onet.conv3", kernel: 3, cin: 64, cout: 64)
        prelu3 = try PReLU(file, "onet.prelu3", channels: 64)
        conv4 = try Conv2D(file, "onet.conv4", kernel: 2, cin: 64, cout: 128)
        prelu4 = try PReLU(file, "onet.prelu4", channels: 128)
        dense5 = try Dense(file, "onet.dense5", inputs: 1152, outputs: 256)
        prelu5 = try PReLU(file, "onet.prelu5", channels: 256)
        score = try Dense(file, "onet.dense6_1", inputs: 256, outputs: 2)
        offsets = try Dense(file, "onet.dense6_2", inputs: 256, outputs: 4)
        landmarks = try Dense(file, "onet.dense6_3", inputs: 256, outputs: 10)
    }
    public func callAsFunction(_ x: Tensor) -> (probabilities: Tensor, offsets: Tensor, landmarks: Tensor) {
        var y = maxPool2dCeil(prelu1(conv1(x)), kernel: 3, stride: 2)
        y = maxPool2dCeil(prelu2(conv2(y)), kernel: 3, stride: 2)
        y = prelu4(conv4(maxPool2dCeil(prelu3(conv3(y)), kernel: 2, stride: 2)))
        y.reshape(to: [x.shape[0], 1152])
        let hidden = prelu5(dense5(y))
        return (softmax(score(hidden)), offsets(hidden), landmarks(hidden))
    }
}
