// Bilinear resampling of NHWC tensors (anomaly-map upsampling).

/// Bilinear resize to height x width with half-pixel centres (TensorFlow `half_pixel_centers`,
/// PyTorch `align_corners=False`): output pixel i samples input coordinate
/// (i + 0.5) * in / out - 0.5, clamped to the image, interpolating its two neighbours per axis.
public func resizeBilinear(_ x: Tensor, height: Int, width: Int, out: Tensor? = nil) -> Tensor {
    let (n, h, w, c) = x.nhwc
    precondition(height >= 1 && width >= 1 && h >= 1 && w >= 1, "resizeBilinear: empty size \(h)x\(w) -> \(height)x\(width)")
    let y = Tensor.output(out, shape: [n, height, width, c])
    let columns = (0..<width).map { bilinearTaps($0, inSize: w, outSize: width) }
    parallelChunks(n * height, grain: 4) { rows in
        for row in rows {
            let image = row / height
            let (y0, y1, fy) = bilinearTaps(row % height, inSize: h, outSize: height)
            let r0 = x.data + (image * h + y0) * w * c, r1 = x.data + (image * h + y1) * w * c
            for (ox, (x0, x1, fx)) in columns.enumerated() {
                let o = y.data + (row * width + ox) * c
                for ch in 0..<c {
                    let top = r0[x0 * c + ch] + fx * (r0[x1 * c + ch] - r0[x0 * c + ch])
                    let bottom = r1[x0 * c + ch] + fx * (r1[x1 * c + ch] - r1[x0 * c + ch])
                    o[ch] = top + fy * (bottom - top)
                }
            }
        }
    }
    return y
}

/// Bilinear resize backward (the adjoint of `resizeBilinear`): each output gradient goes to the
/// four input pixels its value interpolated, with the same weights (1 - fy or fy) * (1 - fx or fx).
/// Jobs own whole images, so the scattered additions never race and their order is fixed.
public func resizeBilinearBackward(inputShape: [Int], gradOutput dy: Tensor) -> Tensor {
    let dx = Tensor(shape: inputShape)
    let (n, h, w, c) = dx.nhwc
    let (dn, height, width, dc) = dy.nhwc
    precondition(dn == n && dc == c && h >= 1 && w >= 1,
                 "resizeBilinearBackward: gradOutput \(dy.shape) does not match input \(inputShape)")
    let columns = (0..<width).map { bilinearTaps($0, inSize: w, outSize: width) }
    parallelChunks(n, grain: 1) { images in
        for image in images {
            for oy in 0..<height {
                let (y0, y1, fy) = bilinearTaps(oy, inSize: h, outSize: height)
                let r0 = dx.data + (image * h + y0) * w * c, r1 = dx.data + (image * h + y1) * w * c
                for (ox, (x0, x1, fx)) in columns.enumerated() {
                    let g = dy.data + ((image * height + oy) * width + ox) * c
                    for ch in 0..<c {
                        let top = g[ch] * (1 - fy), bottom = g[ch] * fy
                        r0[x0 * c + ch] += top * (1 - fx)
                        r0[x1 * c + ch] += top * fx
                        r1[x0 * c + ch] += bottom * (1 - fx)
                        r1[x1 * c + ch] += bottom * fx
                    }
                }
            }
        }
    }
    return dx
}

/// The weights of `resizeBilinear` as a linear map: for each output pixel (row-major over
/// height x width), the 4 input pixels (row-major indices over inHeight x inWidth) it
/// interpolates and their weights, (1-fy)(1-fx), (1-fy)fx, fy(1-fx), fy fx.
public func bilinearWeights(height: Int, width: Int, inHeight: Int, inWidth: Int) -> (indices: [Int32], weights: [Float]) {
    precondition(height >= 1 && width >= 1 && inHeight >= 1 && inWidth >= 1, "bilinearWeights: empty size")
    var indices = [Int32](), weights = [Float]()
    indices.reserveCapacity(4 * height * width)
    weights.reserveCapacity(4 * height * width)
    let columns = (0..<width).map { bilinearTaps($0, inSize: inWidth, outSize: width) }
    for oy in 0..<height {
        let (y0, y1, fy) = bilinearTaps(oy, inSize: inHeight, outSize: height)
        for (x0, x1, fx) in columns {
            indices += [y0 * inWidth + x0, y0 * inWidth + x1, y1 * inWidth + x0, y1 * inWidth + x1].map { Int32($0) }
            weights += [(1 - fy) * (1 - fx), (1 - fy) * fx, fy * (1 - fx), fy * fx]
        }
    }
    return (indices, weights)
}

/// The two input indices that output index i interpolates between, and the weight of the
/// second: half-pixel centres, source coordinate clamped to the image.
private func bilinearTaps(_ i: Int, inSize: Int, outSize: Int) -> (Int, Int, Float) {
    let s = min(max((Float(i) + 0.5) * Float(inSize) / Float(outSize) - 0.5, 0), Float(inSize - 1))
    let i0 = Int(s)
    return (i0, min(i0 + 1, inSize - 1), s - Float(i0))
}
