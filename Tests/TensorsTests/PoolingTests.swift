import Testing
@testable import Tensors
import TestSupport

/// Plain pooling in Double: windows clipped to the image; max or average over what remains.
func naivePool(_ x: [Double], n: Int, h: Int, w: Int, c: Int, k: Int, stride: Int, top: Int, bottom: Int,
               left: Int, right: Int, max useMax: Bool) -> (y: [Double], oh: Int, ow: Int) {
    let oh = (h + top + bottom - k) / stride + 1, ow = (w + left + right - k) / stride + 1
    var y = [Double](repeating: 0, count: n * oh * ow * c)
    for b in 0..<n { for oy in 0..<oh { for ox in 0..<ow { for ch in 0..<c {
        var values: [Double] = []
        for ky in 0..<k { for kx in 0..<k {
            let iy = oy * stride - top + ky, ix = ox * stride - left + kx
            if iy >= 0 && iy < h && ix >= 0 && ix < w { values.append(x[((b * h + iy) * w + ix) * c + ch]) }
        } }
        let v = values.isEmpty ? 0 : (useMax ? values.max()! : values.reduce(0, +) / Double(values.count))
        y[((b * oh + oy) * ow + ox) * c + ch] = v
    } } } }
    return (y, oh, ow)
}

@Suite("Pooling") struct PoolingTests {
    // (n, h, w, c, kernel, stride, SAME?): channel counts below 16 (their last windows near
    // the end of the tensor take the scalar path), above 16 and not a multiple of it (the last
    // 16 channels recomputed), and MTCNN's 10 and 28.
    let cases = [(2, 7, 6, 5, 3, 2, true), (1, 8, 9, 17, 2, 2, false), (1, 5, 5, 3, 3, 1, true), (2, 9, 7, 4, 5, 3, true),
                 (2, 6, 7, 10, 2, 2, false), (2, 7, 5, 28, 3, 2, true), (1, 4, 4, 32, 3, 1, true)]

    func padding(_ h: Int, _ w: Int, _ k: Int, _ s: Int, _ same: Bool) -> (Int, Int, Int, Int) {
        guard same else { return (0, 0, 0, 0) }
        let (t, b) = samePadding(size: h, kernel: k, stride: s, dilation: 1)
        let (l, r) = samePadding(size: w, kernel: k, stride: s, dilation: 1)
        return (t, b, l, r)
    }

    @Test(arguments: [true, false])
    func forwardMatchesNaive(max useMax: Bool) {
        for (i, (n, h, w, c, k, s, same)) in cases.enumerated() {
            let x = randomTensor([n, h, w, c], seed: UInt64(i))
            let config = Conv2DConfig(stride: s, padding: same ? .same : .valid)
            let y = useMax ? maxPool2d(x, kernel: k, config: config) : avgPool2d(x, kernel: k, config: config)
            let (t, b, l, r) = padding(h, w, k, s, same)
            let ref = naivePool(x.doubles, n: n, h: h, w: w, c: c, k: k, stride: s, top: t, bottom: b, left: l, right: r, max: useMax)
            #expect(y.shape == [n, ref.oh, ref.ow, c])
            // Max is exact; an average of at most 25 values in [-1, 1] has error <= 26 u * 25.
            expectClose(y.scalars, ref.y, absolute: useMax ? 0 : 26 * 25 * float32Roundoff, "pool case \(i) max=\(useMax)")
        }
    }

    @Test(arguments: [true, false])
    func backwardMatchesFiniteDifferences(max useMax: Bool) {
        for (i, (n, h, w, c, k, s, same)) in cases.enumerated() {
            let x = randomTensor([n, h, w, c], seed: UInt64(40 + i))
            let config = Conv2DConfig(stride: s, padding: same ? .same : .valid)
            let (t, b, l, r) = padding(h, w, k, s, same)
            let ref = naivePool(x.doubles, n: n, h: h, w: w, c: c, k: k, stride: s, top: t, bottom: b, left: l, right: r, max: useMax)
            let weights = lossWeights(ref.y.count, seed: UInt64(50 + i))
            let dy = Tensor(shape: [n, ref.oh, ref.ow, c], data: weights.map(Float.init))
            let dx = useMax ? maxPool2dBackward(x, gradOutput: dy, kernel: k, config: config)
                            : avgPool2dBackward(inputShape: x.shape, gradOutput: dy, kernel: k, config: config)
            let numeric = numericGradient(x.doubles) {
                dot(weights, naivePool($0, n: n, h: h, w: w, c: c, k: k, stride: s, top: t, bottom: b, left: l, right: r, max: useMax).y)
            }
            // Piecewise linear loss: central differences are exact away from ties (random
            // inputs are 1e-6 apart only with negligible probability). Float32 sums of a few
            // gradient terms: 1e-5.
            expectClose(dx.scalars, numeric, absolute: 1e-5, "pool backward case \(i) max=\(useMax)")
        }
    }

    /// PyTorch's ceil_mode: ceil((H - k) / s) + 1 outputs, the last window clipped at the
    /// bottom/right edge (9 rows, k 3, s 2: 4 outputs, the last window's rows 6...8; 10 rows: 5,
    /// the last window 8...9 only).
    @Test func maxPoolCeilModeKeepsTheOverhangingWindow() {
        for (i, (h, w, k, s)) in [(9, 10, 3, 2), (12, 11, 2, 2), (8, 6, 3, 2)].enumerated() {
            let x = randomTensor([2, h, w, 3], seed: UInt64(80 + i))
            let oh = (h - k + s - 1) / s + 1, ow = (w - k + s - 1) / s + 1
            let ref = naivePool(x.doubles, n: 2, h: h, w: w, c: 3, k: k, stride: s, top: 0,
                                bottom: (oh - 1) * s + k - h, left: 0, right: (ow - 1) * s + k - w, max: true)
            let y = maxPool2dCeil(x, kernel: k, stride: s)
            #expect(y.shape == [2, oh, ow, 3])
            expectClose(y.scalars, ref.y, absolute: 0, "ceil-mode pool \(h)x\(w) k\(k) s\(s)")
        }
    }

    @Test func globalAveragePoolAndBackward() {
        let x = randomTensor([3, 5, 7, 11], seed: 3)
        let y = globalAvgPool(x)
        var expected = [Double](repeating: 0, count: 3 * 11)
        for b in 0..<3 { for p in 0..<35 { for ch in 0..<11 { expected[b * 11 + ch] += Double(x.data[(b * 35 + p) * 11 + ch]) / 35 } } }
        expectClose(y.scalars, expected, absolute: 36 * 35 * float32Roundoff, "global average pool")
        let weights = lossWeights(33, seed: 4)
        let dx = globalAvgPoolBackward(inputShape: x.shape, gradOutput: Tensor(shape: [3, 11], data: weights.map(Float.init)))
        let numeric = numericGradient(x.doubles) { xs in
            var s = 0.0
            for b in 0..<3 { for p in 0..<35 { for ch in 0..<11 { s += weights[b * 11 + ch] * xs[(b * 35 + p) * 11 + ch] / 35 } } }
            return s
        }
        expectClose(dx.scalars, numeric, absolute: 1e-6, "global average pool backward")
    }

    @Test func globalMaxPoolAndBackward() {
        let x = randomTensor([3, 5, 7, 11], seed: 5)
        let y = globalMaxPool(x)
        func maxima(_ xs: [Double]) -> [Double] {
            var out = [Double](repeating: -.infinity, count: 33)
            for b in 0..<3 { for p in 0..<35 { for ch in 0..<11 { out[b * 11 + ch] = max(out[b * 11 + ch], xs[(b * 35 + p) * 11 + ch]) } } }
            return out
        }
        // A maximum is one of the inputs: exact.
        #expect(y.scalars.map(Double.init) == maxima(x.doubles))
        let weights = lossWeights(33, seed: 6)
        let dx = globalMaxPoolBackward(x, gradOutput: Tensor(shape: [3, 11], data: weights.map(Float.init)))
        // Piecewise linear: central differences are exact away from ties (random inputs tie
        // within 1e-6 with negligible probability); each gradient element is one dY value.
        expectClose(dx.scalars, numericGradient(x.doubles) { dot(weights, maxima($0)) }, absolute: 1e-6, "global max pool backward")
        #expect(dx.scalars.count { $0 != 0 } == 33)
    }
}

/// Plain bilinear resize in Double with half-pixel centres (the formula in resizeBilinear's doc).
func naiveBilinear(_ x: [Double], n: Int, h: Int, w: Int, c: Int, height oh: Int, width ow: Int) -> [Double] {
    var y: [Double] = []
    for b in 0..<n { for oy in 0..<oh { for ox in 0..<ow { for ch in 0..<c {
        let sy = min(max((Double(oy) + 0.5) * Double(h) / Double(oh) - 0.5, 0), Double(h - 1))
        let sx = min(max((Double(ox) + 0.5) * Double(w) / Double(ow) - 0.5, 0), Double(w - 1))
        let y0 = Int(sy.rounded(.down)), x0 = Int(sx.rounded(.down))
        let y1 = min(y0 + 1, h - 1), x1 = min(x0 + 1, w - 1)
        let fy = sy - Double(y0), fx = sx - Double(x0)
        func v(_ yy: Int, _ xx: Int) -> Double { x[((b * h + yy) * w + xx) * c + ch] }
        y.append((1 - fy) * ((1 - fx) * v(y0, x0) + fx * v(y0, x1)) + fy * ((1 - fx) * v(y1, x0) + fx * v(y1, x1)))
    } } } }
    return y
}

@Suite("Resize") struct ResizeTests {
    @Test func bilinearMatchesNaive() {
        for (i, (h, w, oh, ow)) in [(4, 5, 9, 13), (7, 3, 7, 3), (6, 6, 2, 3), (1, 4, 3, 8)].enumerated() {
            let c = 3
            let x = randomTensor([2, h, w, c], seed: UInt64(i))
            let y = resizeBilinear(x, height: oh, width: ow)
            let expected = naiveBilinear(x.doubles, n: 2, h: h, w: w, c: c, height: oh, width: ow)
            // A few Float32 operations on values in [-1, 1] (the source coordinate itself is
            // rounded to Float32 too, moving the weights by ~u * size): 1e-5.
            expectClose(y.scalars, expected, absolute: 1e-5, "bilinear case \(i)")
            if h == oh && w == ow { expectClose(y.scalars, x.doubles, absolute: 0, "bilinear case \(i) at the same size") }
        }
    }

    /// bilinearWeights is resizeBilinear as a linear map: applying its 4 taps per output pixel
    /// gives the naive resize, and each pixel's weights sum to 1.
    @Test func bilinearWeightsReproduceTheResize() {
        for (i, (h, w, oh, ow)) in [(4, 5, 9, 13), (14, 20, 28, 40), (6, 6, 2, 3), (1, 4, 3, 8)].enumerated() {
            let c = 2
            let x = randomTensor([1, h, w, c], seed: UInt64(40 + i)).doubles
            let expected = naiveBilinear(x, n: 1, h: h, w: w, c: c, height: oh, width: ow)
            let taps = bilinearWeights(height: oh, width: ow, inHeight: h, inWidth: w)
            let sums = (0..<(oh * ow)).map { p in Double(taps.weights[(4 * p)..<(4 * p + 4)].reduce(0, +)) }
            expectClose(sums, [Double](repeating: 1, count: oh * ow), absolute: 1e-6, "weight sums of each pixel, case \(i)")
            var applied: [Float] = []
            for p in 0..<(oh * ow) {
                for ch in 0..<c {
                    applied.append(Float((0..<4).reduce(0.0) { $0 + Double(taps.weights[4 * p + $1]) * x[Int(taps.indices[4 * p + $1]) * c + ch] }))
                }
            }
            expectClose(applied, expected, absolute: 1e-5, "bilinear weights case \(i)")
        }
    }

    @Test func bilinearBackwardMatchesFiniteDifferences() {
        // Upsampling (the anomaly-map case), identity, downsampling, and a single input row.
        for (i, (h, w, oh, ow)) in [(4, 5, 9, 13), (7, 3, 7, 3), (6, 6, 2, 3), (1, 4, 3, 8)].enumerated() {
            let (n, c) = (2, 3)
            let x = randomTensor([n, h, w, c], seed: UInt64(20 + i))
            let weights = lossWeights(n * oh * ow * c, seed: UInt64(30 + i))
            let dx = resizeBilinearBackward(inputShape: x.shape, gradOutput: Tensor(shape: [n, oh, ow, c], data: weights.map(Float.init)))
            #expect(dx.shape == x.shape)
            // The loss is linear in x, so central differences on the Double reference are exact
            // up to Double rounding. Each input gradient is a Float32 sum of at most ~20 products
            // of values below 1 (weights in [-1, 1]): 1e-5.
            let numeric = numericGradient(x.doubles) { dot(weights, naiveBilinear($0, n: n, h: h, w: w, c: c, height: oh, width: ow)) }
            expectClose(dx.scalars, numeric, absolute: 1e-5, "bilinear backward case \(i)")
        }
    }
}
