// Window geometry shared by convolutions and pooling: strides, dilation, padding (including
// TensorFlow "SAME" padding, which pads unevenly) and the output size.

/// Zero padding on each side of the spatial dimensions.
public struct Padding: Sendable, Equatable {
    public var top, bottom, left, right: Int
    public init(top: Int, bottom: Int, left: Int, right: Int) {
        self.top = top; self.bottom = bottom; self.left = left; self.right = right
    }
    /// The same padding on every side.
    public init(_ all: Int) { self.init(top: all, bottom: all, left: all, right: all) }
    public static let zero = Padding(0)
}

public enum PaddingMode: Sendable, Equatable {
    /// No padding ("VALID").
    case valid
    /// TensorFlow "SAME": output size ceil(input / stride); the total padding
    /// max((out - 1) * stride + effectiveKernel - input, 0) is split with the extra pixel at
    /// the bottom/right (EfficientNet-Lite's stride-2 layers depend on this asymmetry).
    case same
    case explicit(Padding)
}

/// Configuration of a 2-D convolution or pooling window.
public struct Conv2DConfig: Sendable, Equatable {
    public var strideH, strideW: Int
    public var dilationH, dilationW: Int
    public var padding: PaddingMode
    public var groups: Int

    public init(stride: Int = 1, padding: PaddingMode = .valid, dilation: Int = 1, groups: Int = 1) {
        self.init(strideH: stride, strideW: stride, padding: padding, dilationH: dilation, dilationW: dilation, groups: groups)
    }

    public init(strideH: Int, strideW: Int, padding: PaddingMode, dilationH: Int = 1, dilationW: Int = 1, groups: Int = 1) {
        self.strideH = strideH; self.strideW = strideW
        self.dilationH = dilationH; self.dilationW = dilationW
        self.padding = padding; self.groups = groups
    }
}

/// Resolved geometry of one convolution or pooling window over an NHWC input.
struct ConvGeometry: Equatable {
    let n, h, w, cin: Int
    let kh, kw, cout, groups: Int
    let sh, sw, dh, dw: Int
    let pad: Padding
    let oh, ow: Int

    var cinPerGroup: Int { cin / groups }
    var coutPerGroup: Int { cout / groups }
    /// Length of one im2col row: KH * KW * Cin / groups, ordered (ky, kx, ci) like the weights.
    var patch: Int { kh * kw * cinPerGroup }
    var outputShape: [Int] { [n, oh, ow, cout] }
    var isPointwise: Bool { kh == 1 && kw == 1 && sh == 1 && sw == 1 && pad == .zero && groups == 1 }
    var isDepthwise: Bool { groups == cin && cin == cout }

    init(input: [Int], kernelH: Int, kernelW: Int, cout: Int, config: Conv2DConfig, op: String) {
        precondition(input.count == 4, "\(op): input must be NHWC (rank 4), got shape \(input)")
        precondition(kernelH >= 1 && kernelW >= 1, "\(op): kernel must be at least 1x1")
        precondition(config.strideH >= 1 && config.strideW >= 1 && config.dilationH >= 1 && config.dilationW >= 1,
                     "\(op): strides and dilations must be at least 1")
        precondition(config.groups >= 1 && input[3] % config.groups == 0 && cout % config.groups == 0,
                     "\(op): groups \(config.groups) must divide input channels \(input[3]) and output channels \(cout)")
        n = input[0]; h = input[1]; w = input[2]; cin = input[3]
        kh = kernelH; kw = kernelW; self.cout = cout; groups = config.groups
        sh = config.strideH; sw = config.strideW; dh = config.dilationH; dw = config.dilationW
        let effH = (kh - 1) * dh + 1, effW = (kw - 1) * dw + 1
        switch config.padding {
        case .valid: pad = .zero
        case .explicit(let p):
            precondition(p.top >= 0 && p.bottom >= 0 && p.left >= 0 && p.right >= 0, "\(op): negative padding \(p)")
            pad = p
        case .same:
            let outH = (h + sh - 1) / sh, outW = (w + sw - 1) / sw
            let totalH = max((outH - 1) * sh + effH - h, 0), totalW = max((outW - 1) * sw + effW - w, 0)
            pad = Padding(top: totalH / 2, bottom: totalH - totalH / 2, left: totalW / 2, right: totalW - totalW / 2)
        }
        let spanH = h + pad.top + pad.bottom - effH, spanW = w + pad.left + pad.right - effW
        precondition(spanH >= 0 && spanW >= 0, "\(op): kernel \(kh)x\(kw) (dilation \(dh)x\(dw)) larger than padded input \(h)x\(w)")
        oh = spanH / sh + 1
        ow = spanW / sw + 1
    }

    /// Input row for output row `oy` and kernel row `ky` (may be outside 0..<h: padding).
    @inline(__always) func inputY(_ oy: Int, _ ky: Int) -> Int { oy * sh - pad.top + ky * dh }
    @inline(__always) func inputX(_ ox: Int, _ kx: Int) -> Int { ox * sw - pad.left + kx * dw }
}
