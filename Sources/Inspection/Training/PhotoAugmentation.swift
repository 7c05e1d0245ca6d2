import Imaging
import Tensors
import SeededRandom

/// Random variants of a training photo for the supervised head (heavy augmentation, so a
/// few anomalous photos yield many training views): a random crop of 85-100% of each side at
/// a random offset (crops and shifts), resized to the input size, a small rotation,
/// horizontal and vertical flips, and colour jitter (brightness, contrast, saturation).
/// Seeded: the same generator state gives the same variant.
public struct PhotoAugmentation: Sendable {
    public var cropScale: ClosedRange<Double> = 0.85...1
    public var maxRotationDegrees = 10.0
    public var flipProbability = 0.5
    /// Brightness, contrast and saturation factors are drawn from 1 +- jitter.
    public var jitter = 0.15

    public init() {}

    public func variant(of photo: Image, size: InputSize, using rng: inout SeededGenerator) -> Image {
        func uniform(_ range: ClosedRange<Double>) -> Double { Double.random(in: range, using: &rng) }
        let scale = uniform(cropScale)
        let w = max(1, Int((Double(photo.width) * scale).rounded())), h = max(1, Int((Double(photo.height) * scale).rounded()))
        let x = Int.random(in: 0...(photo.width - w), using: &rng), y = Int.random(in: 0...(photo.height - h), using: &rng)
        var image = photo.cropped(x: x, y: y, width: w, height: h).resized(width: size.width, height: size.height, filter: .antialiased)
        image = image.rotated(degrees: uniform(-maxRotationDegrees...maxRotationDegrees))
        if uniform(0...1) < flipProbability { image = image.flippedHorizontally() }
        if uniform(0...1) < flipProbability { image = image.flippedVertically() }
        let range = (1 - jitter)...(1 + jitter)
        return image.colourJittered(brightness: uniform(range), contrast: uniform(range), saturation: uniform(range))
    }
}
