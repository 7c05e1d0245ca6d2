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

    /// The random choices of one variant of a photo of `width` x `height`.
    public func draw(width: Int, height: Int, using rng: inout SeededGenerator) -> AugmentationDraw {
        func uniform(_ range: ClosedRange<Double>) -> Double { Double.random(in: range, using: &rng) }
        let scale = uniform(cropScale)
        let w = max(1, Int((Double(width) * scale).rounded())), h = max(1, Int((Double(height) * scale).rounded()))
        let x = Int.random(in: 0...(width - w), using: &rng), y = Int.random(in: 0...(height - h), using: &rng)
        let rotation = uniform(-maxRotationDegrees...maxRotationDegrees)
        let flipH = uniform(0...1) < flipProbability, flipV = uniform(0...1) < flipProbability
        let range = (1 - jitter)...(1 + jitter)
        return AugmentationDraw(cropX: x, cropY: y, cropWidth: w, cropHeight: h, rotationDegrees: rotation,
                                flipHorizontally: flipH, flipVertically: flipV,
                                brightness: uniform(range), contrast: uniform(range), saturation: uniform(range))
    }

    public func variant(of photo: Image, size: InputSize, using rng: inout SeededGenerator) -> Image {
        draw(width: photo.width, height: photo.height, using: &rng).applied(to: photo, size: size)
    }
}

/// One variant's random choices. The geometry (crop, resize, rotation, flips) applies to the
/// photo and to its ground-truth mask alike (`geometry`), so a defect's pixels stay where the
/// mask says; the colour jitter applies to the photo only.
public struct AugmentationDraw: Sendable, Equatable {
    public var cropX: Int, cropY: Int, cropWidth: Int, cropHeight: Int
    public var rotationDegrees: Double
    public var flipHorizontally: Bool, flipVertically: Bool
    public var brightness: Double, contrast: Double, saturation: Double

    /// The crop, resized to `size` (antialiased), rotated and flipped.
    public func geometry(_ image: Image, size: InputSize) -> Image {
        var out = image.cropped(x: cropX, y: cropY, width: cropWidth, height: cropHeight)
            .resized(width: size.width, height: size.height, filter: .antialiased)
        out = out.rotated(degrees: rotationDegrees)
        if flipHorizontally { out = out.flippedHorizontally() }
        if flipVertically { out = out.flippedVertically() }
        return out
    }

    /// The photo's variant: the geometry, then the colour jitter.
    public func applied(to photo: Image, size: InputSize) -> Image {
        geometry(photo, size: size).colourJittered(brightness: brightness, contrast: contrast, saturation: saturation)
    }
}
