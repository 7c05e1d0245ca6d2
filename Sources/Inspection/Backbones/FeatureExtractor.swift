import Imaging
import Networks
import Tensors

/// A frozen feature extractor for the normal-patch memory: it maps a batch of normalised
/// images (NHWC, the extractor's `normalization` applied) to mid-level feature maps at
/// strides 8 and 16 of the input.
///
/// Implementations may reuse internal buffers between calls, so call `extract` from one
/// thread at a time.
public protocol FeatureExtractor: AnyObject, Sendable {
    /// Stable name written into model bundles ("efficientnet-lite0").
    var name: String { get }
    /// SHA-256 (hex) of the weights, so a bundle made with other weights is refused.
    var weightsSHA256: String { get }
    /// Per-channel normalisation the extractor expects of RGB input.
    var normalization: ChannelNormalization { get }
    /// Input sizes must be multiples of this (the deepest stride used).
    var sizeMultiple: Int { get }
    /// Features of a batch [N, H, W, 3]: [N, H/8, W/8, C8] and [N, H/16, W/16, C16].
    func extract(_ batch: Tensor) -> (stride8: Tensor, stride16: Tensor)
    /// The same two maps and, from the same pass, the deepest frozen map [N, h, w, Cd] that
    /// the supervised head (`ConvPoolingHead`) reads.
    func extractWithDeep(_ batch: Tensor) -> (stride8: Tensor, stride16: Tensor, deep: Tensor)
    /// The stride-8 and stride-16 maps with, from the same pass, the finer stride-4 map
    /// [N, H/4, W/4, C4] the segmentation head reads, and the deep map when `deep`.
    func extractWithStride4(_ batch: Tensor, deep: Bool) -> (stride4: Tensor, stride8: Tensor, stride16: Tensor, deep: Tensor?)
    /// The layer the supervised head fine-tunes: the network's own last 1x1 convolution with
    /// its BatchNorm, reading the deep map; nil when the extractor has none (the head then
    /// starts from fresh weights of `freshHeadWidth` channels).
    var headStart: ConvBatchNorm? { get }
}

extension FeatureExtractor {
    /// Width of a fresh head's convolution when `headStart` is nil.
    public var freshHeadWidth: Int { 32 }

    /// The stride-8 and stride-16 maps of a batch and, from the same pass, the deep map when
    /// `deep` and the stride-4 map when `stride4`: the one place that picks which of the three
    /// extractions to run.
    public func maps(_ batch: Tensor, deep: Bool, stride4: Bool) -> (stride4: Tensor?, stride8: Tensor, stride16: Tensor, deep: Tensor?) {
        if stride4 {
            let maps = extractWithStride4(batch, deep: deep)
            return (maps.stride4, maps.stride8, maps.stride16, maps.deep)
        }
        if deep {
            let maps = extractWithDeep(batch)
            return (nil, maps.stride8, maps.stride16, maps.deep)
        }
        let maps = extract(batch)
        return (nil, maps.stride8, maps.stride16, nil)
    }
}
