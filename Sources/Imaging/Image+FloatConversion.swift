/// Per-channel normalisation applied when pixels become network input:
/// value = (pixel / 255 - mean[c]) / std[c].
public struct ChannelNormalization: Sendable, Equatable {
    public var mean: [Float]
    public var std: [Float]

    public init(mean: [Float], std: [Float]) {
        precondition(mean.count == std.count && !mean.isEmpty, "mean and std need one value per channel")
        self.mean = mean
        self.std = std
    }

    /// ImageNet statistics used by most pretrained backbones (torchvision convention).
    public static let imageNet = ChannelNormalization(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
    /// Maps [0, 255] to [0, 1] without centring.
    public static func unit(channels: Int) -> ChannelNormalization {
        ChannelNormalization(mean: [Float](repeating: 0, count: channels), std: [Float](repeating: 1, count: channels))
    }
}

extension Image {
    /// Writes the normalised pixels as Float32 in HWC order (row, column, channel), the
    /// layout of one image in the Tensors layer's NHWC tensors, into `destination`, which
    /// must hold width * height * channels values. Lets a batch be filled in place without
    /// allocating. The image's channel count must match the normalisation's.
    public func writeNormalized(_ normalization: ChannelNormalization, into destination: UnsafeMutablePointer<Float>) {
        let c = channels
        precondition(normalization.mean.count == c,
                     "normalisation has \(normalization.mean.count) channels, image has \(c); convert the image first")
        // (p/255 - m)/s = p * (1/(255 s)) - m/s
        let scale = normalization.std.map { 1 / (255 * $0) }
        let offset = zip(normalization.mean, normalization.std).map { -$0 / $1 }
        pixels.withUnsafeBufferPointer { src in
            if c == 3 {
                let (s0, s1, s2) = (scale[0], scale[1], scale[2])
                let (o0, o1, o2) = (offset[0], offset[1], offset[2])
                for i in stride(from: 0, to: src.count, by: 3) {
                    destination[i] = Float(src[i]) * s0 + o0
                    destination[i + 1] = Float(src[i + 1]) * s1 + o1
                    destination[i + 2] = Float(src[i + 2]) * s2 + o2
                }
            } else {
                for i in 0..<src.count {
                    let ch = i % c
                    destination[i] = Float(src[i]) * scale[ch] + offset[ch]
                }
            }
        }
    }

    /// The normalised pixels as a new Float32 array in HWC order (see writeNormalized).
    public func normalizedFloats(_ normalization: ChannelNormalization) -> [Float] {
        [Float](unsafeUninitializedCapacity: pixels.count) { buffer, initialized in
            guard let base = buffer.baseAddress else { return }
            writeNormalized(normalization, into: base)
            initialized = pixels.count
        }
    }
}
