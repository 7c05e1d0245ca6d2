import Tensors

/// Parametric ReLU (He et al. 2015), in place: x = x if x > 0 else slope[c] * x, where c is the
/// last (channel) dimension. Returns `x`.
@discardableResult
public func preluInPlace(_ x: Tensor, slopes: Tensor) -> Tensor {
    let c = x.shape.last ?? 1
    precondition(slopes.count == c, "prelu: \(slopes.count) slopes for \(c) channels")
    let rows = c == 0 ? 0 : x.count / c
    for r in 0..<rows {
        let row = x.data + r * c
        var j = 0
        // 16 channels at a time by compare and select, concrete SIMD16 (generic SIMD code and
        // the standard library's pointwiseMax/Min compiled to per-lane scalar code).
        while j + 16 <= c {
            let v = UnsafeRawPointer(row + j).loadUnaligned(as: SIMD16<Float>.self)
            let scaled = v * UnsafeRawPointer(slopes.data + j).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(row + j).storeBytes(of: v.replacing(with: scaled, where: v .< 0), as: SIMD16<Float>.self)
            j += 16
        }
        while j < c {
            if row[j] < 0 { row[j] *= slopes.data[j] }
            j += 1
        }
    }
    return x
}

/// Max pooling with PyTorch's `ceil_mode=True` output size, ceil((H - k) / s) + 1: the last
/// window may hang over the bottom/right edge (its outside part is ignored).
public func maxPool2dCeil(_ x: Tensor, kernel: Int, stride: Int) -> Tensor {
    func extra(_ size: Int) -> Int {
        let out = (max(size - kernel, 0) + stride - 1) / stride + 1
        return max(0, (out - 1) * stride + kernel - size)
    }
    let padding = Padding(top: 0, bottom: extra(x.shape[1]), left: 0, right: extra(x.shape[2]))
    return maxPool2d(x, kernel: kernel, config: Conv2DConfig(stride: stride, padding: .explicit(padding)))
}
