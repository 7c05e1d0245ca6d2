// 2-D convolution over NHWC tensors, forward and backward.
//
// Weights are [KH, KW, Cin / groups, Cout] (HWIO). Three paths, one per kind of layer:
//  - pointwise (1x1, stride 1, no padding, one group): the NHWC input already is the
//    [N*H*W, Cin] matrix, so the convolution is one GEMM with the [Cin, Cout] weights;
//  - depthwise (groups == Cin == Cout): the direct SIMD kernel in Depthwise.swift;
//  - everything else: im2col (each output pixel's receptive field as one row, ordered
//    (ky, kx, ci) like the weights) followed by a GEMM per group, band by band of output rows
//    (a band may span several small images: one packing of the weights per band, not per
//    image, which matters for batches of face chips and detector crops).
// Bias and activation are applied as the output is stored (the GEMM's epilogue).
import WorkerThreads

/// Convolution forward: y = activation(conv(x, weight) + bias).
/// - input: [N, H, W, Cin]; weight: [KH, KW, Cin / groups, Cout]; bias: [Cout] or nil.
/// - packedWeight: for one group, `weight` as the [KH*KW*Cin, Cout] GEMM operand packed once
///   (`PackedMatrix(weight)`), so the im2col path does not pack it again in every band; the
///   results are the same as without it.
/// - Returns [N, OH, OW, Cout], written into `out` when given.
public func conv2d(_ input: Tensor, weight: Tensor, packedWeight: PackedMatrix? = nil, bias: Tensor? = nil,
                   config: Conv2DConfig = Conv2DConfig(), activation: Activation = .none, out: Tensor? = nil) -> Tensor {
    let g = convGeometry(input, weight, bias, config, "conv2d")
    if let packedWeight {
        precondition(g.groups == 1 && packedWeight.rows == g.patch && packedWeight.columns == g.cout,
                     "conv2d: packed weight \(packedWeight.rows) x \(packedWeight.columns) for weight \(weight.shape) in \(g.groups) groups")
    }
    // Every path writes every output element (the GEMMs with beta 0 do not read C).
    let y = Tensor.uninitializedOutput(out, shape: g.outputShape)
    if g.isDepthwise && g.coutPerGroup == 1 {
        depthwiseForward(g, input.data, weight.data, bias?.data, activation, y.data)
        return y
    }
    if g.isPointwise {
        sgemm(transA: false, transB: false, m: g.n * g.h * g.w, n: g.cout, k: g.cin, a: input.data, lda: g.cin,
              b: weight.data, ldb: g.cout, c: y.data, ldc: g.cout, bias: bias?.data, activation: activation)
    } else {
        // Bands of output rows (row = image * OH + oy, across the images of the batch): each
        // job writes its band's patch rows into its own L2-sized buffer and multiplies them at
        // once, so the patch matrix is never written out whole and read back, and one parallel
        // call does both steps. A band spans several images when they are small (face chips,
        // detector crops), so the weights are packed once per band, not per image.
        let rowFloats = g.ow * g.patch
        let rows = g.n * g.oh
        // At least 256 patch rows per band: a GEMM of fewer rows would mostly pack weights.
        let bandRows = max(im2colBandFloats / max(1, rowFloats), (256 + g.ow - 1) / max(1, g.ow), 1)
        let bands = splitRange(rows, parts: (rows + bandRows - 1) / bandRows)
        WorkerPool.shared.parallelFor(count: bands.count) { band in
            let range = bands[band]
            let columns = ThreadScratch.current.buffer(.columns, count: range.count * rowFloats)
            let yBand = y.data + range.lowerBound * g.ow * g.cout
            if let packedWeight {
                im2colRows(g, input.data, rows: range, group: 0, into: columns)
                sgemm(m: range.count * g.ow, a: columns, lda: g.patch, packedB: packedWeight, c: yBand, ldc: g.cout,
                      bias: bias?.data, activation: activation)
                return
            }
            for group in 0..<g.groups {
                im2colRows(g, input.data, rows: range, group: group, into: columns)
                sgemm(transA: false, transB: false, m: range.count * g.ow, n: g.coutPerGroup, k: g.patch, a: columns,
                      lda: g.patch, b: weight.data + group * g.coutPerGroup, ldb: g.cout,
                      c: yBand + group * g.coutPerGroup, ldc: g.cout,
                      bias: bias.map { $0.data + group * g.coutPerGroup }, activation: activation)
            }
        }
    }
    return y
}

/// Gradients of a convolution. `gradOutput` is dL/d(conv + bias), i.e. taken *before* the
/// activation (apply `activationBackward` first for a fused layer).
public struct Conv2DGradients {
    public let input: Tensor?
    public let weight: Tensor
    public let bias: Tensor
}

/// Convolution backward: dX = col2im(dY * W^T), dW = sum over images of im2col(X)^T * dY,
/// dB = sum of dY over N, H, W. Set `needInputGradient` false for the first layer.
public func conv2dBackward(_ input: Tensor, weight: Tensor, gradOutput dy: Tensor, config: Conv2DConfig = Conv2DConfig(),
                           needInputGradient: Bool = true) -> Conv2DGradients {
    let g = convGeometry(input, weight, nil, config, "conv2dBackward")
    precondition(dy.shape == g.outputShape, "conv2dBackward: gradOutput \(dy.shape), expected \(g.outputShape)")
    let dx = needInputGradient ? Tensor(shape: input.shape) : nil
    let dw = Tensor(shape: weight.shape)
    let db = channelSums(dy)
    if g.isDepthwise && g.coutPerGroup == 1 {
        depthwiseBackward(g, input.data, weight.data, dy.data, dx?.data, dw.data)
        return Conv2DGradients(input: dx, weight: dw, bias: db)
    }
    let pixels = g.oh * g.ow
    let scratch = ThreadScratch.current
    let columns = g.isPointwise ? nil : scratch.buffer(.columns, count: pixels * g.patch)
    let columnGrad = g.isPointwise ? nil : scratch.buffer(.columnGradient, count: pixels * g.patch)
    for image in 0..<g.n {
        let x = input.data + image * g.h * g.w * g.cin
        let dyImage = dy.data + image * pixels * g.cout
        for group in 0..<g.groups {
            let cols: UnsafePointer<Float>
            if let columns {
                im2col(g, input.data, images: image..<(image + 1), group: group, into: columns)
                cols = UnsafePointer(columns)
            } else {
                cols = UnsafePointer(x)
            }
            let dyGroup = dyImage + group * g.coutPerGroup
            // dW_g[patch, coutG] += cols^T [patch, pixels] * dY_g [pixels, coutG]
            sgemm(transA: true, transB: false, m: g.patch, n: g.coutPerGroup, k: pixels, a: cols, lda: g.patch,
                  b: dyGroup, ldb: g.cout, beta: image == 0 ? 0 : 1,
                  c: dw.data + group * g.coutPerGroup, ldc: g.cout)
            guard let dx else { continue }
            let dxImage = dx.data + image * g.h * g.w * g.cin
            // dCols[pixels, patch] = dY_g [pixels, coutG] * W_g^T [coutG, patch]
            let target = columnGrad ?? dxImage
            sgemm(transA: false, transB: true, m: pixels, n: g.patch, k: g.coutPerGroup, a: dyGroup, lda: g.cout,
                  b: weight.data + group * g.coutPerGroup, ldb: g.cout, c: target, ldc: g.patch)
            if let columnGrad { col2imAdd(g, columnGrad, group: group, into: dxImage) }
        }
    }
    return Conv2DGradients(input: dx, weight: dw, bias: db)
}

private func convGeometry(_ input: Tensor, _ weight: Tensor, _ bias: Tensor?, _ config: Conv2DConfig, _ op: String) -> ConvGeometry {
    precondition(weight.rank == 4, "\(op): weight must be [KH, KW, Cin/groups, Cout], got \(weight.shape)")
    let g = ConvGeometry(input: input.shape, kernelH: weight.shape[0], kernelW: weight.shape[1], cout: weight.shape[3],
                         config: config, op: op)
    precondition(weight.shape[2] == g.cinPerGroup,
                 "\(op): weight \(weight.shape) needs Cin/groups = \(g.cinPerGroup) in dimension 2 (input \(input.shape), groups \(g.groups))")
    if let bias { precondition(bias.count == g.cout, "\(op): bias has \(bias.count) values for \(g.cout) output channels") }
    return g
}

/// Per-channel sums of an NHWC (or any [..., C]) tensor: the bias gradient.
func channelSums(_ t: Tensor) -> Tensor {
    let c = t.shape.last ?? 1
    let sums = Tensor(shape: [c])
    let rows = c == 0 ? 0 : t.count / c
    for r in 0..<rows {
        let row = t.data + r * c
        for j in 0..<c { sums.data[j] += row[j] }
    }
    return sums
}

/// Visits the patch cells of output pixels in `rows` (output rows): for each output pixel and
/// kernel tap, in (oy, ox, ky, kx) order, calls `body(cellOffset, inputOffset)` where
/// cellOffset indexes the patch matrix and inputOffset the image's first channel of `group`
/// at that tap, or nil where the tap falls on padding.
@inline(__always)
private func forEachPatchCell(_ g: ConvGeometry, group: Int, rows: Range<Int>, _ body: (Int, Int?) -> Void) {
    for oy in rows {
        for ox in 0..<g.ow {
            var cell = (oy * g.ow + ox) * g.patch
            for ky in 0..<g.kh {
                let iy = g.inputY(oy, ky)
                for kx in 0..<g.kw {
                    let ix = g.inputX(ox, kx)
                    let inside = iy >= 0 && iy < g.h && ix >= 0 && ix < g.w
                    body(cell, inside ? (iy * g.w + ix) * g.cin + group * g.cinPerGroup : nil)
                    cell += g.cinPerGroup
                }
            }
        }
    }
}

/// Patch-matrix floats per forward band of output rows (256 KiB, half a core's L2): 21 rows
/// of the 112-wide EfficientNet stem output, whose patch rows are 27 floats. Bands of wide
/// patches hold at least 256 patch rows instead.
let im2colBandFloats = 1 << 16

/// Writes the patch matrices of `images` (indices into the batch at `x`) for `group`, one
/// after another: row (oy * OW + ox) of each holds the receptive field of that output pixel
/// as (ky, kx, ci), with zeros where the window covers padding. Output rows of all the images
/// are split across the pool.
func im2col(_ g: ConvGeometry, _ x: UnsafePointer<Float>, images: Range<Int>, group: Int,
            into columns: UnsafeMutablePointer<Float>) {
    let first = x + images.lowerBound * g.h * g.w * g.cin
    parallelChunks(images.count * g.oh, grain: max(1, 4096 / max(1, g.ow * g.patch))) { rows in
        im2colRows(g, first, rows: rows, group: group, into: columns + rows.lowerBound * g.ow * g.patch)
    }
}

/// The patch rows of output rows `rows` (row = image * OH + oy, images counted from `x`) for
/// `group`, on the calling thread: rows.count * OW patch rows written from `columns` on.
func im2colRows(_ g: ConvGeometry, _ x: UnsafePointer<Float>, rows: Range<Int>, group: Int,
                into columns: UnsafeMutablePointer<Float>) {
    let cg = g.cinPerGroup
    let imageFloats = g.h * g.w * g.cin
    // With one group and no dilation, a kernel row's taps that all fall inside the image are
    // kw * cin adjacent input floats: one copy instead of kw (the RGB stems copy 3 floats a tap).
    let rowRuns = g.groups == 1 && g.dw == 1
    for row in rows {
        let (i, oy) = row.quotientAndRemainder(dividingBy: g.oh)
        let image = x + i * imageFloats
        for ox in 0..<g.ow {
            var cell = ((row - rows.lowerBound) * g.ow + ox) * g.patch
            let x0 = g.inputX(ox, 0), x1 = g.inputX(ox, g.kw - 1)
            for ky in 0..<g.kh {
                let iy = g.inputY(oy, ky)
                if iy < 0 || iy >= g.h {
                    (columns + cell).update(repeating: 0, count: g.kw * cg)
                    cell += g.kw * cg
                } else if rowRuns && x0 >= 0 && x1 < g.w {
                    copyFloats(columns + cell, image + (iy * g.w + x0) * g.cin, g.kw * cg)
                    cell += g.kw * cg
                } else {
                    for kx in 0..<g.kw {
                        let ix = g.inputX(ox, kx)
                        if ix >= 0 && ix < g.w {
                            copyFloats(columns + cell, image + (iy * g.w + ix) * g.cin + group * cg, cg)
                        } else {
                            (columns + cell).update(repeating: 0, count: cg)
                        }
                        cell += cg
                    }
                }
            }
        }
    }
}

/// Copies `count` floats inline, 16 at a time, rather than through a memmove call: im2col's
/// runs are a few channels (RGB stems) to a few hundred floats (3 x 64 channels of a 3x3 row),
/// short enough that the call and its size dispatch cost about as much as the copy. The rest
/// after the multiples of 16 is one more vector copy of the run's last 16 floats (overlapping
/// some already copied), and a run of 8 to 15 floats two overlapping 8-float copies: the
/// 7x7 RGB stem's runs are 21 floats, MTCNN's 9 and 30.
@inline(__always)
private func copyFloats(_ to: UnsafeMutablePointer<Float>, _ from: UnsafePointer<Float>, _ count: Int) {
    if count >= 16 {
        var j = 0
        while j + 16 <= count {
            store16(to + j, load16(from + j))
            j += 16
        }
        if j < count { store16(to + count - 16, load16(from + count - 16)) }
    } else if count >= 8 {
        let head = UnsafeRawPointer(from).loadUnaligned(as: SIMD8<Float>.self)
        let tail = UnsafeRawPointer(from + count - 8).loadUnaligned(as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(to).storeBytes(of: head, as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(to + count - 8).storeBytes(of: tail, as: SIMD8<Float>.self)
    } else {
        for j in 0..<count { to[j] = from[j] }
    }
}

/// The adjoint of im2col: adds each patch row back onto the input positions it was read from.
/// Serial, because overlapping windows add into the same input pixels.
func col2imAdd(_ g: ConvGeometry, _ columns: UnsafePointer<Float>, group: Int, into dx: UnsafeMutablePointer<Float>) {
    let cg = g.cinPerGroup
    forEachPatchCell(g, group: group, rows: 0..<g.oh) { cell, input in
        guard let input else { return }
        for c in 0..<cg { dx[input + c] += columns[cell + c] }
    }
}
