import Foundation
import Testing
@testable import Tensors
import SeededRandom
import TestSupport

@Suite("Gaussian blur") struct GaussianBlurTests {
    /// The plain scalar blur: per pixel, the taps in kernel order over edge-clamped indices.
    func naiveBlur(_ values: [Float], width: Int, height: Int, sigma: Float) -> [Float] {
        let radius = Int((4 * sigma).rounded(.up))
        var kernel = (-radius...radius).map { exp(-Float($0 * $0) / (2 * sigma * sigma)) }
        let total = kernel.reduce(0, +)
        kernel = kernel.map { $0 / total }
        var horizontal = [Float](repeating: 0, count: values.count), out = horizontal
        for y in 0..<height {
            for x in 0..<width {
                var s: Float = 0
                for i in 0..<kernel.count { s += kernel[i] * values[y * width + min(max(x + i - radius, 0), width - 1)] }
                horizontal[y * width + x] = s
            }
        }
        for y in 0..<height {
            for x in 0..<width {
                var s: Float = 0
                for i in 0..<kernel.count { s += kernel[i] * horizontal[min(max(y + i - radius, 0), height - 1) * width + x] }
                out[y * width + x] = s
            }
        }
        return out
    }

    @Test(arguments: [(width: 320, height: 224, sigma: Float(4)), (width: 37, height: 5, sigma: 1.5),
                      (width: 3, height: 40, sigma: 4), (width: 1, height: 1, sigma: 2)])
    func equalsTheScalarBlur(_ shape: (width: Int, height: Int, sigma: Float)) {
        var rng = SeededGenerator(seed: 7)
        let values = (0..<(shape.width * shape.height)).map { _ in Float.random(in: 0...10, using: &rng) }
        let blurred = gaussianBlur(values, width: shape.width, height: shape.height, sigma: shape.sigma)
        expectClose(blurred, naiveBlur(values, width: shape.width, height: shape.height, sigma: shape.sigma).map(Double.init),
                    absolute: 0, "blur \(shape.width)x\(shape.height) sigma \(shape.sigma)")
    }

    @Test func keepsAConstantImageAndTheMassOfAnImpulse() {
        let flat = gaussianBlur([Float](repeating: 2.5, count: 64 * 48), width: 64, height: 48, sigma: 4)
        expectClose(flat, [Double](repeating: 2.5, count: flat.count), absolute: 1e-5, "blurred constant image")
        var impulse = [Float](repeating: 0, count: 64 * 64)
        impulse[32 * 64 + 32] = 1
        let spread = gaussianBlur(impulse, width: 64, height: 64, sigma: 3)
        expectClose(Double(spread.reduce(0, +)), 1, absolute: 1e-5, "mass of a blurred impulse")
        #expect(spread[32 * 64 + 32] == spread.max())
        #expect(spread[32 * 64 + 29] == spread[32 * 64 + 35] && spread[29 * 64 + 32] == spread[35 * 64 + 32])
        #expect(gaussianBlur([], width: 0, height: 0, sigma: 4).isEmpty)
    }
}
