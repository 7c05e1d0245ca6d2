/// dlib's `add_prev` residual sum: `a + b` where the smaller tensor is zero-padded at the end
/// of each of H, W and C (the top-left origin and the leading channels line up). Output shape
/// is the element-wise maximum of the two shapes; the batch sizes must agree.
public func addZeroPadded(_ a: Tensor, _ b: Tensor, out: Tensor? = nil) -> Tensor {
    precondition(a.rank == 4 && b.rank == 4 && a.shape[0] == b.shape[0],
                 "addZeroPadded: NHWC tensors with equal batch needed, got \(a.shape) and \(b.shape)")
    if a.shape == b.shape { return add(a, b, out: out) }
    let n = a.shape[0]
    let h = max(a.shape[1], b.shape[1]), w = max(a.shape[2], b.shape[2]), c = max(a.shape[3], b.shape[3])
    let y = out ?? Tensor(shape: [n, h, w, c])
    y.resize(to: [n, h, w, c])
    y.fill(0)
    for source in [a, b] {
        let (sh, sw, sc) = (source.shape[1], source.shape[2], source.shape[3])
        for image in 0..<n {
            for row in 0..<sh {
                for col in 0..<sw {
                    let from = source.data + ((image * sh + row) * sw + col) * sc
                    let to = y.data + ((image * h + row) * w + col) * c
                    for ch in 0..<sc { to[ch] += from[ch] }
                }
            }
        }
    }
    return y
}
