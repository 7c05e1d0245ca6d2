// Pooling over NHWC tensors: max, average (padding excluded from the count, as TensorFlow's
// "SAME" pooling does), global average; forward and backward. Inner loops run over the
// contiguous channels of a pixel.

/// Input rows and columns covered by the window of output pixel (oy, ox), clipped to the image.
@inline(__always)
private func window(_ g: ConvGeometry, _ oy: Int, _ ox: Int) -> (ys: Range<Int>, xs: Range<Int>) {
    let y0 = oy * g.sh - g.pad.top, x0 = ox * g.sw - g.pad.left
    return (max(0, y0)..<max(max(0, y0), min(g.h, y0 + g.kh)), max(0, x0)..<max(max(0, x0), min(g.w, x0 + g.kw)))
}

private func poolGeometry(_ x: Tensor, _ kernel: Int, _ config: Conv2DConfig, _ op: String) -> ConvGeometry {
    precondition(config.groups == 1 && config.dilationH == 1 && config.dilationW == 1,
                 "\(op): pooling takes no groups or dilation")
    precondition(x.rank == 4, "\(op): input must be NHWC, got \(x.shape)")
    return ConvGeometry(input: x.shape, kernelH: kernel, kernelW: kernel, cout: x.shape[3], config: config, op: op)
}

/// Max pooling with a kernel x kernel window. Padding never wins the max; a window entirely
/// in padding gives 0.
public func maxPool2d(_ x: Tensor, kernel: Int, config: Conv2DConfig, out: Tensor? = nil) -> Tensor {
    poolForward(x, kernel: kernel, config: config, out: out, "maxPool2d", initial: -Float.infinity,
                combine: { max($0, $1) }, finish: { value, cells in cells == 0 ? 0 : value })
}

/// The window loop shared by max and average pooling: out = finish(fold(combine, window), cells).
@inline(__always)
private func poolForward(_ x: Tensor, kernel: Int, config: Conv2DConfig, out: Tensor?, _ op: String, initial: Float,
                         combine: (Float, Float) -> Float, finish: (Float, Int) -> Float) -> Tensor {
    let g = poolGeometry(x, kernel, config, op)
    let y = Tensor.output(out, shape: g.outputShape)
    let c = g.cin
    parallelChunks(g.n * g.oh, grain: 8) { rows in
        for row in rows {
            let image = row / g.oh, oy = row % g.oh
            for ox in 0..<g.ow {
                let o = y.data + (row * g.ow + ox) * c
                let (ys, xs) = window(g, oy, ox)
                o.update(repeating: initial, count: c)
                for iy in ys {
                    for ix in xs {
                        let p = x.data + ((image * g.h + iy) * g.w + ix) * c
                        for ch in 0..<c { o[ch] = combine(o[ch], p[ch]) }
                    }
                }
                let cells = ys.count * xs.count
                for ch in 0..<c { o[ch] = finish(o[ch], cells) }
            }
        }
    }
    return y
}

/// Max pooling backward: each output gradient goes to the first input position (in window
/// scan order) that holds the window's maximum.
public func maxPool2dBackward(_ x: Tensor, gradOutput dy: Tensor, kernel: Int, config: Conv2DConfig) -> Tensor {
    let g = poolGeometry(x, kernel, config, "maxPool2dBackward")
    precondition(dy.shape == g.outputShape, "maxPool2dBackward: gradOutput \(dy.shape), expected \(g.outputShape)")
    let dx = Tensor(shape: x.shape)
    let c = g.cin
    forEachWindowGradient(g, dy) { image, ys, xs, grad in
        for ch in 0..<c {
            var best = -Float.infinity, at = -1
            for iy in ys {
                for ix in xs {
                    let i = ((image * g.h + iy) * g.w + ix) * c + ch
                    if x.data[i] > best || at < 0 { best = x.data[i]; at = i }
                }
            }
            if at >= 0 { dx.data[at] += grad[ch] }
        }
    }
    return dx
}

/// The loop shared by the pooling backward passes: `body(image, ys, xs, dy)` for every
/// output pixel's clipped window and gradient vector. One job per image: windows of one image
/// overlap, windows of different images never do, so the scattered additions never race.
@inline(__always)
private func forEachWindowGradient(_ g: ConvGeometry, _ dy: Tensor,
                                   _ body: (Int, Range<Int>, Range<Int>, UnsafeMutablePointer<Float>) -> Void) {
    WorkerPool.shared.parallelFor(count: g.n) { image in
        for oy in 0..<g.oh {
            for ox in 0..<g.ow {
                let (ys, xs) = window(g, oy, ox)
                body(image, ys, xs, dy.data + ((image * g.oh + oy) * g.ow + ox) * g.cin)
            }
        }
    }
}

/// Average pooling; each output averages the window's in-image positions only.
/// 16 channels at a time: the window's pixels are summed in a register in scan order (the
/// order of the scalar loop, so the same values) instead of through the output row in memory.
public func avgPool2d(_ x: Tensor, kernel: Int, config: Conv2DConfig, out: Tensor? = nil) -> Tensor {
    let g = poolGeometry(x, kernel, config, "avgPool2d")
    let y = Tensor.output(out, shape: g.outputShape)
    let c = g.cin
    parallelChunks(g.n * g.oh, grain: 8) { rows in
        for row in rows {
            let image = row / g.oh, oy = row % g.oh
            for ox in 0..<g.ow {
                let o = y.data + (row * g.ow + ox) * c
                let (ys, xs) = window(g, oy, ox)
                let cells = Float(max(1, ys.count * xs.count))
                var ch = 0
                while ch + 16 <= c {
                    var sum = SIMD16<Float>()
                    for iy in ys {
                        for ix in xs { sum += load16(x.data + ((image * g.h + iy) * g.w + ix) * c + ch) }
                    }
                    store16(o + ch, sum / SIMD16(repeating: cells))
                    ch += 16
                }
                while ch < c {
                    var sum: Float = 0
                    for iy in ys {
                        for ix in xs { sum += x.data[((image * g.h + iy) * g.w + ix) * c + ch] }
                    }
                    o[ch] = sum / cells
                    ch += 1
                }
            }
        }
    }
    return y
}

/// Average pooling backward: each output gradient is spread evenly over its window.
public func avgPool2dBackward(inputShape: [Int], gradOutput dy: Tensor, kernel: Int, config: Conv2DConfig) -> Tensor {
    let dx = Tensor(shape: inputShape)
    let g = poolGeometry(dx, kernel, config, "avgPool2dBackward")
    precondition(dy.shape == g.outputShape, "avgPool2dBackward: gradOutput \(dy.shape), expected \(g.outputShape)")
    let c = g.cin
    forEachWindowGradient(g, dy) { image, ys, xs, grad in
        let scale = 1 / Float(max(1, ys.count * xs.count))
        for iy in ys {
            for ix in xs {
                let d = dx.data + ((image * g.h + iy) * g.w + ix) * c
                for ch in 0..<c { d[ch] += grad[ch] * scale }
            }
        }
    }
    return dx
}

/// Global average pooling: [N, H, W, C] -> [N, C].
public func globalAvgPool(_ x: Tensor, out: Tensor? = nil) -> Tensor {
    let (n, h, w, c) = x.nhwc
    let y = Tensor.output(out, shape: [n, c])
    let scale = 1 / Float(max(1, h * w))
    WorkerPool.shared.parallelFor(count: n) { image in
        let o = y.data + image * c
        o.update(repeating: 0, count: c)
        for p in 0..<(h * w) {
            let src = x.data + (image * h * w + p) * c
            for ch in 0..<c { o[ch] += src[ch] }
        }
        for ch in 0..<c { o[ch] *= scale }
    }
    return y
}

/// Global average pooling backward: dX[n, h, w, c] = dY[n, c] / (H * W).
public func globalAvgPoolBackward(inputShape: [Int], gradOutput dy: Tensor) -> Tensor {
    let dx = Tensor(shape: inputShape)
    let (n, h, w, c) = dx.nhwc
    precondition(dy.shape == [n, c], "globalAvgPoolBackward: gradOutput \(dy.shape), expected \([n, c])")
    let scale = 1 / Float(max(1, h * w))
    for image in 0..<n {
        for p in 0..<(h * w) {
            let d = dx.data + (image * h * w + p) * c
            for ch in 0..<c { d[ch] = dy.data[image * c + ch] * scale }
        }
    }
    return dx
}

/// Global max pooling: [N, H, W, C] -> [N, C], the largest value of each channel over the map
/// (ties: the first position in row-major order).
public func globalMaxPool(_ x: Tensor, out: Tensor? = nil) -> Tensor {
    let (n, h, w, c) = x.nhwc
    precondition(h * w > 0, "globalMaxPool: empty map \(x.shape)")
    let y = Tensor.output(out, shape: [n, c])
    WorkerPool.shared.parallelFor(count: n) { image in
        let o = y.data + image * c
        o.update(from: x.data + image * h * w * c, count: c)
        for p in 1..<(h * w) {
            let src = x.data + (image * h * w + p) * c
            for ch in 0..<c where src[ch] > o[ch] { o[ch] = src[ch] }
        }
    }
    return y
}

/// Global max pooling backward: each dY[n, c] goes to the position that held the maximum
/// (the first one on ties, as in the forward pass); every other position gets zero.
public func globalMaxPoolBackward(_ x: Tensor, gradOutput dy: Tensor) -> Tensor {
    let (n, h, w, c) = x.nhwc
    precondition(dy.shape == [n, c], "globalMaxPoolBackward: gradOutput \(dy.shape), expected \([n, c])")
    let dx = Tensor(shape: x.shape)
    for image in 0..<n {
        let base = image * h * w * c
        for ch in 0..<c {
            var best = 0
            for p in 1..<(h * w) where x.data[base + p * c + ch] > x.data[base + best * c + ch] { best = p }
            dx.data[base + best * c + ch] = dy.data[image * c + ch]
        }
    }
    return dx
}
