import Tensors

/// PatchCore's patch features (Roth et al., CVPR 2022, section 3.1): each feature map is
/// averaged over the 3x3 neighbourhood of every position (local aggregation widens the
/// receptive field without losing resolution), the stride-16 map is upsampled bilinearly to
/// the stride-8 grid, and the two are concatenated channel-wise, the stride-8 part scaled by
/// `stride8Weight` (how much the finer, more local features count in patch distances; the
/// trainer chooses it on training data).
public enum PatchFeatures {
    /// [N, H8, W8, C8 + C16] from the two feature maps.
    public static func combine(stride8: Tensor, stride16: Tensor, stride8Weight: Float = 1) -> Tensor {
        combineKeepingCoarse(stride8: stride8, stride16: stride16, stride8Weight: stride8Weight).patches
    }

    /// The combined patches and the aggregated stride-16 map they interpolate ([N, H16, W16,
    /// C16]): the nearest-patch search multiplies that coarse map instead of its 4 times as
    /// many interpolated copies (see `NearestRowSearch.nearest(_:count:interpolatedTail:)`).
    public static func combineKeepingCoarse(stride8: Tensor, stride16: Tensor, stride8Weight: Float = 1)
        -> (patches: Tensor, coarse: Tensor) {
        let neighbourhood = Conv2DConfig(stride: 1, padding: .explicit(Padding(1)))
        let a = avgPool2d(stride8, kernel: 3, config: neighbourhood)
        let b16 = avgPool2d(stride16, kernel: 3, config: neighbourhood)
        let (n, h, w, c8) = (a.shape[0], a.shape[1], a.shape[2], a.shape[3])
        let b = resizeBilinear(b16, height: h, width: w)
        let c16 = b.shape[3]
        let out = Tensor(shape: [n, h, w, c8 + c16])
        for p in 0..<(n * h * w) {
            let o = out.data + p * (c8 + c16), source = a.data + p * c8
            for j in 0..<c8 { o[j] = source[j] * stride8Weight }
            (out.data + p * (c8 + c16) + c8).update(from: b.data + p * c16, count: c16)
        }
        return (out, b16)
    }
}
