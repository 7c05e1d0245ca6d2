// Pooling over NHWC tensors: max, average (padding excluded from the count, as TensorFlow's
// "SAME" pooling does), global average; forward and backward. Inner loops run over the
// contiguous channels of a pixel.
import WorkerThreads

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
    poolForward(x, kernel: kernel, config: config, out: out, "maxPool2d", .max)
}

/// Average pooling; each output averages the window's in-image positions only.
public func avgPool2d(_ x: Tensor, kernel: Int, config: Conv2DConfig, out: Tensor? = nil) -> Tensor {
    poolForward(x, kernel: kernel, config: config, out: out, "avgPool2d", .average)
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

/// How a pooling window is reduced: the maximum of its in-image cells (0 when it has none),
/// or their sum in scan order divided by their count.
private enum PoolingKind {
    case max, average

    var initial: Float { self == .max ? -.infinity : 0 }

    // Concrete SIMD16 and scalar versions: generic SIMD code here (and the standard library's
    // pointwiseMax) compiled to a scalar compare per lane through the stack.
    @inline(__always) func combine(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
        self == .max ? a.replacing(with: b, where: a .< b) : a + b
    }

    @inline(__always) func combine(_ a: Float, _ b: Float) -> Float { self == .max ? Swift.max(a, b) : a + b }

    @inline(__always) func finish(_ v: SIMD16<Float>, cells: Int) -> SIMD16<Float> {
        self == .max ? (cells == 0 ? SIMD16() : v) : v / SIMD16(repeating: Float(Swift.max(1, cells)))
    }

    @inline(__always) func finish(_ v: Float, cells: Int) -> Float {
        self == .max ? (cells == 0 ? 0 : v) : v / Float(Swift.max(1, cells))
    }
}

/// The window loop of max and average pooling: output rows split across the pool; for each
/// output pixel 16 channels at a time are reduced in a register, each value with the
/// operations of a scalar loop in its order. The channels left over after the multiples of 16
/// are the last 16 channels again when there are at least 16 (recomputing some to the same
/// values), else 16 lanes read past the pixel when the tensor has them, of which only the
/// pixel's are stored (MTCNN's 10 and 28 channels); otherwise they go through the output row.
private func poolForward(_ x: Tensor, kernel: Int, config: Conv2DConfig, out: Tensor?, _ op: String,
                         _ kind: PoolingKind) -> Tensor {
    let g = poolGeometry(x, kernel, config, op)
    let y = Tensor.uninitializedOutput(out, shape: g.outputShape)   // every window stores its pixel
    let c = g.cin, vectorChannels = c / 16 * 16
    let imageFloats = g.h * g.w * c, totalFloats = x.count
    @inline(__always) func reduce(_ first: UnsafeMutablePointer<Float>, _ ys: Range<Int>, _ xs: Range<Int>, _ ch: Int,
                                  _ cells: Int) -> SIMD16<Float> {
        var acc = SIMD16<Float>(repeating: kind.initial)
        for iy in ys {
            for ix in xs { acc = kind.combine(acc, load16(first + (iy * g.w + ix) * c + ch)) }
        }
        return kind.finish(acc, cells: cells)
    }
    parallelChunks(g.n * g.oh, grain: 8) { rows in
        for row in rows {
            let image = row / g.oh, oy = row % g.oh
            let first = x.data + image * imageFloats
            for ox in 0..<g.ow {
                let o = y.data + (row * g.ow + ox) * c
                let (ys, xs) = window(g, oy, ox)
                let cells = ys.count * xs.count
                for ch in stride(from: 0, to: vectorChannels, by: 16) {
                    store16(o + ch, reduce(first, ys, xs, ch, cells))
                }
                if vectorChannels == c { continue }
                if c > 16 {
                    store16(o + c - 16, reduce(first, ys, xs, c - 16, cells))
                    continue
                }
                // Fewer than 16 channels: the window's last cell read 16 lanes wide must stay
                // inside the tensor.
                if cells > 0, image * imageFloats + ((ys.upperBound - 1) * g.w + xs.upperBound - 1) * c + 16 <= totalFloats {
                    let v = reduce(first, ys, xs, 0, cells)
                    for ch in 0..<c { o[ch] = v[ch] }
                    continue
                }
                (o + vectorChannels).update(repeating: kind.initial, count: c - vectorChannels)
                for iy in ys {
                    for ix in xs {
                        let p = first + (iy * g.w + ix) * c
                        for ch in vectorChannels..<c { o[ch] = kind.combine(o[ch], p[ch]) }
                    }
                }
                for ch in vectorChannels..<c { o[ch] = kind.finish(o[ch], cells: cells) }
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
    let y = Tensor.uninitializedOutput(out, shape: [n, c])   // each image's row is set, then summed into
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
