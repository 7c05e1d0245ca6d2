// Seeded random test data, and Float32's unit roundoff for error bounds.
import SeededRandom
import Tensors

/// Unit roundoff of Float32: every Float32 operation has relative error at most u.
public let float32Roundoff = Double(Float.ulpOfOne) / 2

/// A tensor of uniform values in `range`, the same for the same seed.
public func randomTensor(_ shape: [Int], seed: UInt64, range: ClosedRange<Float> = -1...1) -> Tensor {
    var rng = SeededGenerator(seed: seed)
    return Tensor.randomUniform(shape: shape, in: range, using: &rng)
}

/// `count` uniform Doubles in `range`, the same for the same seed.
public func randomDoubles(_ count: Int, seed: UInt64, range: ClosedRange<Double> = -1...1) -> [Double] {
    var rng = SeededGenerator(seed: seed)
    return (0..<count).map { _ in Double.random(in: range, using: &rng) }
}

extension Tensor {
    /// The values as Doubles, for references computed in Double.
    public var doubles: [Double] { scalars.map(Double.init) }
}
