import Testing
@testable import Tensors
import TestSupport

/// The ops that allocate their output without a zero fill (`Tensor.uninitializedOutput`) must
/// write every element: run into an `out` buffer full of NaN and one full of zeros, the two
/// results must be equal bit for bit (an element left unwritten keeps NaN in one and 0 in the
/// other). Shapes cover the SIMD tails (channel counts that are not multiples of 16).
@Suite("Outputs without a zero fill") struct UninitializedOutputTests {
    /// `op(out)` into a NaN-filled and a zero-filled buffer larger than the output; both equal.
    func expectEveryElementWritten(_ what: String, _ op: (Tensor) -> Tensor) {
        let poisoned = Tensor(shape: [4096], repeating: .nan), zeroed = Tensor(shape: [4096])
        let a = op(poisoned), b = op(zeroed)
        #expect(a === poisoned && b === zeroed, "\(what): writes into the given buffer")
        #expect(a.shape == b.shape)
        #expect(!a.scalars.contains { $0.isNaN }, "\(what): an element was left unwritten")
        #expect(a.scalars == b.scalars, "\(what)")
    }

    @Test func convolutionsWriteEveryElement() {
        let x = randomTensor([2, 7, 6, 19], seed: 1)
        let w3 = randomTensor([3, 3, 19, 21], seed: 2), w1 = randomTensor([1, 1, 19, 21], seed: 3)
        let depthwise = randomTensor([3, 3, 1, 19], seed: 4), bias = randomTensor([21], seed: 5)
        expectEveryElementWritten("im2col 3x3") { conv2d(x, weight: w3, bias: bias, config: Conv2DConfig(padding: .same), out: $0) }
        expectEveryElementWritten("im2col 3x3, prepacked") {
            conv2d(x, weight: w3, packedWeight: PackedMatrix(w3), config: Conv2DConfig(stride: 2), activation: .relu, out: $0)
        }
        expectEveryElementWritten("pointwise") { conv2d(x, weight: w1, bias: bias, out: $0) }
        expectEveryElementWritten("depthwise") {
            conv2d(x, weight: depthwise, config: Conv2DConfig(stride: 2, padding: .same, groups: 19), out: $0)
        }
    }

    @Test func poolingWritesEveryElement() {
        let x = randomTensor([2, 9, 7, 21], seed: 6)
        expectEveryElementWritten("max pool") { maxPool2d(x, kernel: 3, config: Conv2DConfig(stride: 2, padding: .same), out: $0) }
        expectEveryElementWritten("average pool") { avgPool2d(x, kernel: 2, config: Conv2DConfig(stride: 2), out: $0) }
        expectEveryElementWritten("global average pool") { globalAvgPool(x, out: $0) }
    }

    @Test func elementwiseAndDenseWriteEveryElement() {
        let x = randomTensor([5, 37], seed: 7), y = randomTensor([5, 37], seed: 8), b = randomTensor([37], seed: 9)
        let weight = randomTensor([23, 37], seed: 10)
        expectEveryElementWritten("relu") { activation(x, .relu, out: $0) }
        expectEveryElementWritten("add") { add(x, y, out: $0) }
        expectEveryElementWritten("multiply, broadcast") { multiply(x, b, out: $0) }
        expectEveryElementWritten("linear") { linear(x, weight: weight, out: $0) }
        expectEveryElementWritten("softmax") { softmax(x, out: $0) }
    }
}
