// Bilinear resampling of NHWC tensors (anomaly-map upsampling).

/// Bilinear resize to height x width with half-pixel centres (TensorFlow `half_pixel_centers`,
/// PyTorch `align_corners=False`): output pixel i samples input coordinate
/// (i + 0.5) * in / out - 0.5, clamped to the image, interpolating its two neighbours per axis.
public func resizeBilinear(_ x: Tensor, height: Int, width: Int, out: Tensor? = nil) -> Tensor {
    let (n, h, w, c) = x.nhwc
    precondition(height >= 1 && width >= 1 && h >= 1 && w >= 1, "resizeBilinear: empty size \(h)x\(w) -> \(height)x\(width)")
    let y = Tensor.output(out, shape: [n, height, width, c])
    func taps(_ i: Int, _ inSize: Int, _ outSize: Int) -> (Int, Int, Float) {
        let s = min(max((Float(i) + 0.5) * Float(inSize) / Float(outSize) - 0.5, 0), Float(inSize - 1))
        let i0 = Int(s)
        return (i0, min(i0 + 1, inSize - 1), s - Float(i0))
    }
    let columns = (0..<width).map { taps($0, w, width) }
    parallelChunks(n * height, grain: 4) { rows in
        for row in rows {
            let image = row / height
            let (y0, y1, fy) = taps(row % height, h, height)
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
