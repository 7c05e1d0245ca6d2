// Direct depthwise convolution kernels (one filter per channel, channel multiplier 1) on NHWC.
//
// In NHWC a pixel's channels are contiguous, so the kernel vectorises across channels: for
// each output pixel and each group of 16 channels it accumulates KH * KW products of an input
// vector and a weight vector (SIMD16 FMAs). Any KxK works; 3x3 and 5x5 are the common cases.
// These layers do few FLOPs per byte, so they are memory-bound (the benchmark reports GB/s).
import WorkerThreads

/// y[n, oy, ox, c] = act(bias[c] + sum_{ky,kx} x[n, iy, ix, c] * w[ky, kx, c]).
func depthwiseForward(_ g: ConvGeometry, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                      _ bias: UnsafePointer<Float>?, _ activation: Activation, _ y: UnsafeMutablePointer<Float>) {
    let taps = DepthwiseTaps(g)
    /// Output rows `rows` (of all images, in order) over `channels`.
    func outputRows(_ rows: Range<Int>, channels: Range<Int>?) {
        withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: g.kh) { inputRows in
            guard let rowPointers = inputRows.baseAddress else { return }
            for row in rows {
                let image = row / g.oh, oy = row % g.oh
                let xImage = x + image * g.h * g.w * g.cin
                for ky in taps.rows[oy] { inputRows[ky] = xImage + g.inputY(oy, ky) * g.w * g.cin }
                depthwiseRow(g, oy: oy, taps: taps, inputRows: rowPointers, w, bias, activation,
                             y + row * g.ow * g.cin, channels: channels)
            }
        }
    }
    let threads = WorkerPool.shared.threads
    // Few rows for the threads (a 7x7 map splits into 4 and 3 rows on two): each job takes all
    // rows of an equal range of 16-channel groups instead.
    if threads > 1 && g.n * g.oh < 4 * threads && g.cin >= 32 * threads {
        let parts = splitRange(g.cin, parts: threads, align: 16)
        WorkerPool.shared.parallelFor(count: parts.count) { outputRows(0..<(g.n * g.oh), channels: parts[$0]) }
        return
    }
    // Otherwise jobs of whole output rows.
    parallelChunks(g.n * g.oh, grain: max(1, 8192 / max(1, g.ow * g.cin))) { outputRows($0, channels: nil) }
}

/// The kernel taps of a depthwise geometry that land inside the image, per output column and
/// per output row, computed once per call (integer divisions per pixel would cost more than
/// the arithmetic).
struct DepthwiseTaps {
    let columns: [Range<Int>]
    let rows: [Range<Int>]

    init(_ g: ConvGeometry) {
        columns = (0..<g.ow).map { validTaps(g.inputX($0, 0), size: g.w, kernel: g.kw, dilation: g.dw) }
        rows = (0..<g.oh).map { validTaps(g.inputY($0, 0), size: g.h, kernel: g.kh, dilation: g.dh) }
    }
}

/// One output row `oy` of one image into `out` (OW * C floats), all channels or those in
/// `channels`. `inputRows[ky]` points at input row inputY(oy, ky) (W * C floats) for each ky in
/// `taps.rows[oy]`: the rows may come from a tensor or from a ring of rows computed just before
/// (`invertedResidual`). Each output is the same sum whatever the channel range.
func depthwiseRow(_ g: ConvGeometry, oy: Int, taps: DepthwiseTaps, inputRows: UnsafePointer<UnsafePointer<Float>>,
                  _ w: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?, _ activation: Activation,
                  _ out: UnsafeMutablePointer<Float>, channels: Range<Int>? = nil) {
    let c = g.cin
    let (firstChannel, endChannel) = (channels?.lowerBound ?? 0, channels?.upperBound ?? c)
    let kys = taps.rows[oy]
    taps.columns.withUnsafeBufferPointer { columnTaps in
        /// Channels from `first` to the end of the range (fewer than 16) of one output pixel, scalar.
        func scalarChannels(from first: Int, ox: Int, kxs: Range<Int>, _ out: UnsafeMutablePointer<Float>) {
            for ch in first..<endChannel {
                var acc = bias?[ch] ?? 0
                for ky in kys {
                    for kx in kxs {
                        acc += inputRows[ky][g.inputX(ox, kx) * c + ch] * w[(ky * g.kw + kx) * c + ch]
                    }
                }
                out[ch] = activate(acc, activation)
            }
        }
        var ox = 0
        while ox < g.ow {
            let pixel = out + ox * c
            // Four neighbouring pixels whose windows lie fully inside the image: four
            // independent accumulators hide the FMA latency, and each weight vector is
            // loaded once for the four.
            if ox + 4 <= g.ow && columnTaps[ox].count == g.kw && columnTaps[ox + 3].count == g.kw {
                let xStep = g.sw * c
                var ch = firstChannel
                while ch + 16 <= endChannel {
                    var acc0 = SIMD16<Float>()
                    if let bias { acc0 = load16(bias + ch) }
                    var acc1 = acc0, acc2 = acc0, acc3 = acc0
                    for ky in kys {
                        let xRow = inputRows[ky] + ch
                        let wRow = w + ky * g.kw * c + ch
                        for kx in 0..<g.kw {
                            let wv = load16(wRow + kx * c)
                            let xp = xRow + g.inputX(ox, kx) * c
                            multiplyAdd(into: &acc0, load16(xp), wv)
                            multiplyAdd(into: &acc1, load16(xp + xStep), wv)
                            multiplyAdd(into: &acc2, load16(xp + 2 * xStep), wv)
                            multiplyAdd(into: &acc3, load16(xp + 3 * xStep), wv)
                        }
                    }
                    store16(pixel + ch, activate(acc0, activation))
                    store16(pixel + c + ch, activate(acc1, activation))
                    store16(pixel + 2 * c + ch, activate(acc2, activation))
                    store16(pixel + 3 * c + ch, activate(acc3, activation))
                    ch += 16
                }
                for j in 0..<4 { scalarChannels(from: ch, ox: ox + j, kxs: columnTaps[ox + j], pixel + j * c) }
                ox += 4
                continue
            }
            let kxs = columnTaps[ox]
            var ch = firstChannel
            while ch + 16 <= endChannel {
                var acc = SIMD16<Float>()
                if let bias { acc = load16(bias + ch) }
                for ky in kys {
                    let xRow = inputRows[ky] + ch
                    let wRow = w + ky * g.kw * c + ch
                    for kx in kxs {
                        multiplyAdd(into: &acc, load16(xRow + g.inputX(ox, kx) * c), load16(wRow + kx * c))
                    }
                }
                store16(pixel + ch, activate(acc, activation))
                ch += 16
            }
            scalarChannels(from: ch, ox: ox, kxs: kxs, pixel)
            ox += 1
        }
    }
}

/// Kernel taps k (0..<kernel) whose input coordinate start + k * dilation is inside 0..<size.
private func validTaps(_ start: Int, size: Int, kernel: Int, dilation: Int) -> Range<Int> {
    let lo = start >= 0 ? 0 : (-start + dilation - 1) / dilation
    let hi = min(kernel, floorDivide(size - 1 - start, dilation) + 1)
    return lo..<max(lo, hi)
}

/// Division rounding towards minus infinity (Swift's `/` truncates towards zero).
@inline(__always)
private func floorDivide(_ a: Int, _ b: Int) -> Int {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

/// Depthwise backward: dX[iy, ix, c] += dY[oy, ox, c] * w[ky, kx, c] and
/// dW[ky, kx, c] += dY[oy, ox, c] * x[iy, ix, c]. Jobs own disjoint channel ranges, so the
/// scattered additions never race and the summation order is fixed.
func depthwiseBackward(_ g: ConvGeometry, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                       _ dx: UnsafeMutablePointer<Float>?, _ dw: UnsafeMutablePointer<Float>) {
    let c = g.cin
    let chunks = splitRange(c, parts: WorkerPool.shared.threads, align: 16)
    WorkerPool.shared.parallelFor(count: chunks.count) { job in
        let channels = chunks[job]
        for image in 0..<g.n {
            let xImage = x + image * g.h * g.w * c
            let dxImage = dx.map { $0 + image * g.h * g.w * c }
            for oy in 0..<g.oh {
                for ox in 0..<g.ow {
                    let grad = dy + ((image * g.oh + oy) * g.ow + ox) * c
                    for ky in 0..<g.kh {
                        let iy = g.inputY(oy, ky)
                        if iy < 0 || iy >= g.h { continue }
                        for kx in 0..<g.kw {
                            let ix = g.inputX(ox, kx)
                            if ix < 0 || ix >= g.w { continue }
                            let pixel = (iy * g.w + ix) * c
                            let tap = (ky * g.kw + kx) * c
                            var ch = channels.lowerBound
                            while ch + 16 <= channels.upperBound {
                                let gv = load16(grad + ch)
                                store16(dw + tap + ch, multiplyAdd(load16(dw + tap + ch), gv, load16(xImage + pixel + ch)))
                                if let d = dxImage {
                                    store16(d + pixel + ch, multiplyAdd(load16(d + pixel + ch), gv, load16(w + tap + ch)))
                                }
                                ch += 16
                            }
                            while ch < channels.upperBound {
                                dw[tap + ch] += grad[ch] * xImage[pixel + ch]
                                dxImage?[pixel + ch] += grad[ch] * w[tap + ch]
                                ch += 1
                            }
                        }
                    }
                }
            }
        }
    }
}

