// Direct depthwise convolution kernels (one filter per channel, channel multiplier 1) on NHWC.
//
// In NHWC a pixel's channels are contiguous, so the kernel vectorises across channels: for
// each output pixel and each group of 16 channels it accumulates KH * KW products of an input
// vector and a weight vector (SIMD16 FMAs). Any KxK works; 3x3 and 5x5 are the common cases.
// These layers do few FLOPs per byte, so they are memory-bound (the benchmark reports GB/s).

/// y[n, oy, ox, c] = act(bias[c] + sum_{ky,kx} x[n, iy, ix, c] * w[ky, kx, c]).
func depthwiseForward(_ g: ConvGeometry, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                      _ bias: UnsafePointer<Float>?, _ activation: Activation, _ y: UnsafeMutablePointer<Float>) {
    let c = g.cin
    // One job per output row of one image.
    parallelChunks(g.n * g.oh, grain: max(1, 8192 / max(1, g.ow * c))) { rows in
        for row in rows {
            let image = row / g.oh, oy = row % g.oh
            let xImage = x + image * g.h * g.w * c
            // Kernel rows that land inside the image for this output row.
            let kyLo = max(0, (g.pad.top - oy * g.sh + g.dh - 1) / g.dh)
            let kyHi = min(g.kh, floorDivide(g.h - 1 - oy * g.sh + g.pad.top, g.dh) + 1)
            for ox in 0..<g.ow {
                let kxLo = max(0, (g.pad.left - ox * g.sw + g.dw - 1) / g.dw)
                let kxHi = min(g.kw, floorDivide(g.w - 1 - ox * g.sw + g.pad.left, g.dw) + 1)
                let out = y + ((image * g.oh + oy) * g.ow + ox) * c
                var ch = 0
                while ch + 16 <= c {
                    var acc = bias.map { UnsafeRawPointer($0 + ch).loadUnaligned(as: SIMD16<Float>.self) } ?? SIMD16()
                    for ky in kyLo..<max(kyLo, kyHi) {
                        let xRow = xImage + g.inputY(oy, ky) * g.w * c + ch
                        let wRow = w + ky * g.kw * c + ch
                        for kx in kxLo..<max(kxLo, kxHi) {
                            let xv = UnsafeRawPointer(xRow + g.inputX(ox, kx) * c).loadUnaligned(as: SIMD16<Float>.self)
                            let wv = UnsafeRawPointer(wRow + kx * c).loadUnaligned(as: SIMD16<Float>.self)
                            acc.addProduct(xv, wv)
                        }
                    }
                    UnsafeMutableRawPointer(out + ch).storeBytes(of: activate(acc, activation), as: SIMD16<Float>.self)
                    ch += 16
                }
                while ch < c {
                    var acc = bias?[ch] ?? 0
                    for ky in kyLo..<max(kyLo, kyHi) {
                        for kx in kxLo..<max(kxLo, kxHi) {
                            acc += xImage[(g.inputY(oy, ky) * g.w + g.inputX(ox, kx)) * c + ch] * w[(ky * g.kw + kx) * c + ch]
                        }
                    }
                    out[ch] = activate(acc, activation)
                    ch += 1
                }
            }
        }
    }
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
                            for ch in channels {
                                dw[tap + ch] += grad[ch] * xImage[pixel + ch]
                                dxImage?[pixel + ch] += grad[ch] * w[tap + ch]
                            }
                        }
                    }
                }
            }
        }
    }
}
