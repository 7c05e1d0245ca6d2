import Foundation
import Testing
@testable import Networks
import Tensors
import TestSupport

/// The layer library against the Tensors ops it packages: prepacked weights give the same
/// values as the unpacked kernels, BatchNorm folding the same map as BatchNorm applied after
/// the convolution, and loading names the file and tensor it cannot use.
@Suite("Layers") struct LayerTests {
    /// A 1x1 convolution runs as a GEMM on weights packed at init; every other one through
    /// `conv2d`. Both give conv2d's values exactly (the GEMM sums in the same order).
    @Test func conv2DEqualsConv2d() {
        let x = randomTensor([2, 5, 7, 19], seed: 1)
        for (kernel, config, cout) in [(1, Conv2DConfig(), 33), (1, Conv2DConfig(padding: .same), 8),
                                       (3, Conv2DConfig(stride: 2, padding: .same), 12),
                                       (3, Conv2DConfig(padding: .same, groups: 19), 19)] {
            let weight = randomTensor([kernel, kernel, 19 / config.groups, cout], seed: 2), bias = randomTensor([cout], seed: 3)
            let layer = Conv2D(weight: weight, bias: bias, config: config, activation: .relu6)
            #expect((layer.pointwise != nil) == (kernel == 1))
            let expected = conv2d(x, weight: weight, bias: bias, config: config, activation: .relu6)
            let what = "Conv2D \(kernel)x\(kernel) groups \(config.groups) vs conv2d"
            expectClose(layer(x), expected, absolute: 0, what)
            expectClose(layer(x, out: Tensor(shape: [1])), expected, absolute: 0, what + ", reused output")
        }
    }

    /// conv(x, W * scale) + shift equals BatchNorm(conv(x, W)) up to the rounding of the scaled
    /// weights and of BatchNorm's two extra operations (values of order 1, sums of 27 terms).
    @Test func foldedBatchNormEqualsBatchNormAfterTheConvolution() {
        let x = randomTensor([2, 6, 6, 3], seed: 4)
        let parameters = ConvBatchNorm(weight: randomTensor([3, 3, 3, 8], seed: 5),
                                       batchNorm: BatchNormParameters(gamma: randomTensor([8], seed: 6, range: 0.5...1.5),
                                                                      beta: randomTensor([8], seed: 7),
                                                                      mean: randomTensor([8], seed: 8),
                                                                      variance: randomTensor([8], seed: 9, range: 0.2...2)))
        let config = Conv2DConfig(stride: 2, padding: .same)
        let layer = Conv2D(folding: parameters, epsilon: 1e-3, config: config, activation: .relu)
        let bn = parameters.batchNorm
        let expected = activation(batchNormInference(conv2d(x, weight: parameters.weight, config: config), gamma: bn.gamma,
                                                     beta: bn.beta, mean: bn.mean, variance: bn.variance, epsilon: 1e-3), .relu)
        expectClose(layer(x), expected, absolute: 1e-5, "folded vs convolution then BatchNorm")
    }

    /// Dense multiplies by W^T packed at init: `linear`'s values exactly.
    @Test func denseEqualsLinear() {
        for (batch, inputs, outputs) in [(1, 1280, 1000), (7, 37, 5), (33, 16, 2)] {
            let x = randomTensor([batch, inputs], seed: 10), weight = randomTensor([outputs, inputs], seed: 11)
            let bias = randomTensor([outputs], seed: 12)
            let layer = Dense(weight: weight, bias: bias, activation: .relu)
            #expect(layer.inputs == inputs && layer.outputs == outputs)
            expectClose(layer(x), linear(x, weight: weight, bias: bias, activation: .relu), absolute: 0,
                        "Dense [\(batch), \(inputs)] -> \(outputs) vs linear")
        }
    }

    @Test func preluLayerAppliesItsSlopesInPlace() {
        let x = Tensor(shape: [2, 2], data: [-2, 3, 4, -5])
        let y = PReLU(slopes: Tensor(shape: [2], data: [0.5, 0.25]))(x)
        #expect(y === x && y.scalars == [-1, 3, 4, -1.25])
    }

    /// Layers load `prefix.weight` and `prefix.bias`; a missing or mis-shaped tensor is an
    /// error naming the file and the tensor.
    @Test func loadingChecksNamesAndShapes() throws {
        let data = try SafetensorsWriter.encode([
            ("conv.weight", [3, 3, 2, 4], [Float](repeating: 0.5, count: 72)), ("conv.bias", [4], [1, 2, 3, 4]),
            ("fc.weight", [3, 4], [Float](repeating: 1, count: 12)), ("fc.bias", [3], [0, 0, 0]),
            ("prelu.weight", [4], [0.1, 0.1, 0.1, 0.1]),
        ])
        let file = try SafetensorsFile(data: data, source: "layers.safetensors")
        let conv = try Conv2D(file, "conv", kernel: 3, cin: 2, cout: 4)
        #expect(conv.bias.scalars == [1, 2, 3, 4] && conv.weight.shape == [3, 3, 2, 4])
        #expect(try Dense(file, "fc", inputs: 4, outputs: 3).outputs == 3)
        #expect(try PReLU(file, "prelu", channels: 4).slopes.count == 4)

        let misShaped = #expect(throws: SafetensorsError.self) { try Conv2D(file, "conv", kernel: 3, cin: 4, cout: 4) }
        #expect(misShaped?.description == "layers.safetensors: tensor conv.weight has shape [3, 3, 2, 4], expected [3, 3, 4, 4]")
        let missing = #expect(throws: SafetensorsError.self) { try Dense(file, "dense", inputs: 4, outputs: 3) }
        #expect(missing?.description == "layers.safetensors: no tensor named dense.weight")
    }
}
