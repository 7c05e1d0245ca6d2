// From decoded photos to EfficientNet-Lite0's input batch: framing to 224x224 RGB and the
// checkpoint's normalisation (TF EfficientNet-Lite: (pixel - 127) / 128, read from the card).
// Lives here, not in Networks (which sees tensors only), and serves both inspection and
// `inspect classify`.
import Imaging
import Networks
import Tensors

/// How a photo of any size becomes the 224x224 input.
public enum EfficientNetLite0Framing: Sendable {
    /// ImageNet evaluation framing: shorter side resized to 256 (the card's value), then the
    /// central 224x224 crop. For classification.
    case centerCrop
    /// The whole image resized to 224x224 (aspect ratio not kept): nothing near the edges is
    /// lost. For inspection, where a defect may sit anywhere.
    case fullFrame
}

extension EfficientNetLite0 {
    /// The 224x224 RGB image the network sees for `image`.
    public func framed(_ image: Image, _ framing: EfficientNetLite0Framing) -> Image {
        let size = EfficientNetLite0Architecture.inputSize
        let rgb = image.converted(to: .rgb)
        switch framing {
        case .fullFrame:
            return rgb.resized(width: size, height: size, filter: .antialiased)
        case .centerCrop:
            let side = card?.resizeShorterSide ?? 256
            let scale = Double(side) / Double(max(1, min(rgb.width, rgb.height)))
            let w = max(size, Int((Double(rgb.width) * scale).rounded()))
            let h = max(size, Int((Double(rgb.height) * scale).rounded()))
            return rgb.resized(width: w, height: h, filter: .antialiased)
                .cropped(x: (w - size) / 2, y: (h - size) / 2, width: size, height: size)
        }
    }

    /// A normalised [N, 224, 224, 3] batch of the images, framed as asked.
    public func inputBatch(_ images: [Image], framing: EfficientNetLite0Framing = .centerCrop) -> Tensor {
        ImagePreparation.batch(images.map { framed($0, framing) },
                               normalization: ChannelNormalization(mean: inputNormalization.mean, std: inputNormalization.std))
    }
}
