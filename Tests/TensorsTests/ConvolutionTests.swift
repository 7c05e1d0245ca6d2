import Testing
@testable import Tensors
import TestSupport

/// A plainly written convolution in Double: NHWC input, HWIO weights, explicit padding.
struct NaiveConv {
    var n, h, w, cin, kh, kw, cout, groups, stride, dilation: Int
    var top, bottom, left, right: Int

    var oh: Int { (h + top + bottom - ((kh - 1) * dilation + 1)) / stride + 1 }
    var ow: Int { (w + left + right - ((kw - 1) * dilation + 1)) / stride + 1 }

    func callAsFunction(_ x: [Double], _ wt: [Double], _ bias: [Double]?) -> [Double] {
        let cinG = cin / groups, coutG = cout / groups
        var y = [Double](repeating: 0, count: n * oh * ow * cout)
        for b in 0..<n { for oy in 0..<oh { for ox in 0..<ow { for co in 0..<cout {
            let g = co / coutG
            var s = bias?[co] ?? 0
            for ky in 0..<kh { for kx in 0..<kw { for ci in 0..<cinG {
                let iy = oy * stride - top + ky * dilation, ix = ox * stride - left + kx * dilation
                if iy < 0 || iy >= h || ix < 0 || ix >= w { continue }
                s += x[((b * h + iy) * w + ix) * cin + g * cinG + ci] * wt[((ky * kw + kx) * cinG + ci) * cout + co]
            } } }
            y[((b * oh + oy) * ow + ox) * cout + co] = s
        } } } }
        return y
    }

    /// Sum of |terms| per output, for the rounding-error bound.
    func magnitudes(_ x: [Double], _ wt: [Double], _ bias: [Double]?) -> [Double] {
        self(x.map(abs), wt.map(abs), bias?.map(abs))
    }
}

/// TensorFlow SAME padding written out plainly: (before, after) for one dimension.
func samePadding(size: Int, kernel: Int, stride: Int, dilation: Int) -> (Int, Int) {
    let out = (size + stride - 1) / stride
    let total = max(0, (out - 1) * stride + (kernel - 1) * dilation + 1 - size)
    return (total / 2, total - total / 2)
}

@Suite("Convolution") struct ConvolutionTests {
    struct Case {
        var n, h, w, cin, cout, k, stride, dilation, groups: Int
        var same: Bool
        var pad: Int = 0
    }

    let cases: [Case] = [
        Case(n: 2, h: 7, w: 5, cin: 19, cout: 33, k: 1, stride: 1, dilation: 1, groups: 1, same: false),   // pointwise GEMM
        Case(n: 1, h: 9, w: 8, cin: 3, cout: 8, k: 3, stride: 2, dilation: 1, groups: 1, same: true),      // stem, uneven SAME
        Case(n: 2, h: 6, w: 7, cin: 6, cout: 4, k: 3, stride: 1, dilation: 2, groups: 2, same: false, pad: 1),
        Case(n: 1, h: 5, w: 6, cin: 4, cout: 6, k: 2, stride: 3, dilation: 1, groups: 1, same: false, pad: 2),
        Case(n: 2, h: 8, w: 9, cin: 37, cout: 37, k: 3, stride: 1, dilation: 1, groups: 37, same: true),   // depthwise 3x3
        Case(n: 1, h: 11, w: 10, cin: 21, cout: 21, k: 5, stride: 2, dilation: 1, groups: 21, same: true), // depthwise 5x5 s2
        Case(n: 1, h: 6, w: 5, cin: 16, cout: 16, k: 3, stride: 2, dilation: 2, groups: 16, same: false, pad: 3),
        Case(n: 1, h: 4, w: 4, cin: 5, cout: 7, k: 1, stride: 2, dilation: 1, groups: 1, same: false),     // strided 1x1
        // Depthwise with fewer rows than 4 per thread: split by 16-channel groups (a scalar tail).
        Case(n: 1, h: 3, w: 4, cin: 70, cout: 70, k: 3, stride: 1, dilation: 1, groups: 70, same: true),
        // im2col runs of kw * cin floats: 21 (the 7x7 RGB stem), 30 and 12 (copied with an
        // overlapping last vector), 9 (MTCNN's first layers).
        Case(n: 2, h: 13, w: 12, cin: 3, cout: 20, k: 7, stride: 2, dilation: 1, groups: 1, same: false),
        Case(n: 1, h: 8, w: 9, cin: 10, cout: 16, k: 3, stride: 1, dilation: 1, groups: 1, same: false),
        Case(n: 1, h: 6, w: 6, cin: 4, cout: 5, k: 3, stride: 1, dilation: 1, groups: 1, same: false),
        Case(n: 2, h: 7, w: 8, cin: 3, cout: 10, k: 3, stride: 1, dilation: 1, groups: 1, same: false),
    ]

    func setup(_ c: Case) -> (Conv2DConfig, NaiveConv) {
        var naive = NaiveConv(n: c.n, h: c.h, w: c.w, cin: c.cin, kh: c.k, kw: c.k, cout: c.cout, groups: c.groups,
                              stride: c.stride, dilation: c.dilation, top: c.pad, bottom: c.pad, left: c.pad, right: c.pad)
        if c.same {
            (naive.top, naive.bottom) = samePadding(size: c.h, kernel: c.k, stride: c.stride, dilation: c.dilation)
            (naive.left, naive.right) = samePadding(size: c.w, kernel: c.k, stride: c.stride, dilation: c.dilation)
        }
        let config = Conv2DConfig(stride: c.stride, padding: c.same ? .same : .explicit(Padding(c.pad)),
                                  dilation: c.dilation, groups: c.groups)
        return (config, naive)
    }

    @Test func samePaddingIsUnevenLikeTensorFlow() {
        // 224 input, 3x3 stride 2: output 112, total padding 1, all of it at the bottom/right.
        let g = ConvGeometry(input: [1, 224, 224, 3], kernelH: 3, kernelW: 3, cout: 32,
                             config: Conv2DConfig(stride: 2, padding: .same), op: "test")
        #expect(g.pad == Padding(top: 0, bottom: 1, left: 0, right: 1))
        #expect(g.oh == 112 && g.ow == 112)
        // 5x5 stride 2 on 28: output 14, total padding 3 -> 1 before, 2 after.
        let g5 = ConvGeometry(input: [1, 28, 28, 8], kernelH: 5, kernelW: 5, cout: 8,
                              config: Conv2DConfig(stride: 2, padding: .same, groups: 8), op: "test")
        #expect(g5.pad == Padding(top: 1, bottom: 2, left: 1, right: 2))
    }

    @Test(arguments: [Activation.none, .relu, .relu6])
    func forwardMatchesNaive(activation: Activation) {
        for (index, c) in cases.enumerated() {
            let (config, naive) = setup(c)
            let x = randomTensor([c.n, c.h, c.w, c.cin], seed: UInt64(index), range: -4...4)
            let wt = randomTensor([c.k, c.k, c.cin / c.groups, c.cout], seed: UInt64(100 + index))
            let bias = randomTensor([c.cout], seed: UInt64(200 + index))
            let y = conv2d(x, weight: wt, bias: bias, config: config, activation: activation)
            #expect(y.shape == [c.n, naive.oh, naive.ow, c.cout])
            var expected = naive(x.doubles, wt.doubles, bias.doubles)
            expected = expected.map { v in
                switch activation { case .none: v; case .relu: max(v, 0); case .relu6: min(max(v, 0), 6) }
            }
            let mags = naive.magnitudes(x.doubles, wt.doubles, bias.doubles)
            // A sum of P = KH*KW*Cin/g + 1 products: error <= (P + 1) u sum|terms| (Higham 3.1);
            // clamping by an activation does not increase it.
            let p = Double(c.k * c.k * c.cin / c.groups + 2)
            expectClose(y.scalars, expected, tolerance: { p * float32Roundoff * mags[$0] }, "conv case \(index) \(activation)")
        }
    }

    @Test func forwardInBandsAcrossImagesMatchesNaive() {
        // 3 images of 40 output rows, 48 pixels a row, 45-float patches: the forward pass runs
        // in bands of 30 output rows, so bands start and end inside images.
        let c = Case(n: 3, h: 40, w: 48, cin: 5, cout: 7, k: 3, stride: 1, dilation: 1, groups: 1, same: true)
        #expect(im2colBandFloats / (c.w * c.k * c.k * c.cin) == 30)
        let (config, naive) = setup(c)
        let x = randomTensor([c.n, c.h, c.w, c.cin], seed: 12, range: -4...4)
        let wt = randomTensor([c.k, c.k, c.cin, c.cout], seed: 13), bias = randomTensor([c.cout], seed: 14)
        withThreadCounts([1, 2]) { threads in
            let y = conv2d(x, weight: wt, bias: bias, config: config, activation: .relu)
            let expected = naive(x.doubles, wt.doubles, bias.doubles).map { max($0, 0) }
            let mags = naive.magnitudes(x.doubles, wt.doubles, bias.doubles)
            let p = Double(c.k * c.k * c.cin + 2)
            expectClose(y.scalars, expected, tolerance: { p * float32Roundoff * mags[$0] }, "conv in bands, \(threads) thread(s)")
        }
    }

    @Test func outputBufferIsReused() {
        let c = cases[1]
        let (config, _) = setup(c)
        let x = randomTensor([c.n, c.h, c.w, c.cin], seed: 1), wt = randomTensor([c.k, c.k, c.cin, c.cout], seed: 2)
        let out = Tensor(shape: [1000])
        let storage = out.data
        let y = conv2d(x, weight: wt, config: config, out: out)
        #expect(y === out && y.data == storage)
        expectClose(y.scalars, conv2d(x, weight: wt, config: config).doubles, absolute: 0, "conv2d into a reused output")
    }

    @Test func backwardMatchesFiniteDifferences() {
        for (index, c0) in cases.enumerated() {
            var c = c0
            c.n = 1  // keep the finite-difference sweep small
            let (config, naive) = setup(c)
            let x = randomTensor([c.n, c.h, c.w, c.cin], seed: UInt64(10 + index))
            let wt = randomTensor([c.k, c.k, c.cin / c.groups, c.cout], seed: UInt64(20 + index))
            let r = lossWeights(c.n * naive.oh * naive.ow * c.cout, seed: UInt64(30 + index))
            let dy = Tensor(shape: [c.n, naive.oh, naive.ow, c.cout], data: r.map(Float.init))
            let grads = conv2dBackward(x, weight: wt, gradOutput: dy, config: config)
            let xd = x.doubles, wd = wt.doubles
            let bias0 = [Double](repeating: 0, count: c.cout)
            let numX = numericGradient(xd) { dot(r, naive($0, wd, nil)) }
            let numW = numericGradient(wd) { dot(r, naive(xd, $0, nil)) }
            let numB = numericGradient(bias0) { dot(r, naive(xd, wd, $0)) }
            // The loss is linear in each argument, so central differences are exact up to
            // Double rounding (~1e-16 * |L| / h ~ 1e-9). The analytic gradients are Float32 sums
            // of at most a few hundred terms of size <= 1: error < 1e-4 absolute.
            expectClose(grads.input?.scalars ?? [], numX, absolute: 1e-4, relative: 1e-4, "dX case \(index)")
            expectClose(grads.weight.scalars, numW, absolute: 1e-4, relative: 1e-4, "dW case \(index)")
            expectClose(grads.bias.scalars, numB, absolute: 1e-4, relative: 1e-4, "dB case \(index)")
        }
    }

    @Test func batchOfImagesAccumulatesWeightGradient() {
        // N = 2 through the im2col path: dW sums over images.
        let c = cases[2]
        let (config, naive) = setup(c)
        let x = randomTensor([c.n, c.h, c.w, c.cin], seed: 5), wt = randomTensor([c.k, c.k, c.cin / c.groups, c.cout], seed: 6)
        let r = lossWeights(c.n * naive.oh * naive.ow * c.cout, seed: 7)
        let grads = conv2dBackward(x, weight: wt, gradOutput: Tensor(shape: [c.n, naive.oh, naive.ow, c.cout], data: r.map(Float.init)),
                                   config: config, needInputGradient: false)
        #expect(grads.input == nil)
        let xd = x.doubles
        expectClose(grads.weight.scalars, numericGradient(wt.doubles) { dot(r, naive(xd, $0, nil)) },
                    absolute: 1e-4, relative: 1e-4, "dW batch")
    }

    @Test func prepackedWeightsGiveIdenticalOutputs() {
        // Every one-group im2col case, plus the shapes of the face age network's 2x2 and 6x6
        // maps on a batch of 14 chips (patches of 576 and 2304 floats: several k blocks, and
        // 40 output channels end in a half panel). Bit for bit, on 1 and 2 threads.
        var shapes = cases.filter { $0.groups == 1 && $0.k > 1 }
        shapes.append(Case(n: 14, h: 6, w: 6, cin: 64, cout: 40, k: 3, stride: 1, dilation: 1, groups: 1, same: false, pad: 1))
        shapes.append(Case(n: 14, h: 2, w: 2, cin: 256, cout: 48, k: 3, stride: 1, dilation: 1, groups: 1, same: false, pad: 1))
        shapes.append(Case(n: 3, h: 40, w: 48, cin: 5, cout: 7, k: 3, stride: 1, dilation: 1, groups: 1, same: true))
        #expect(shapes.count == 9)
        for (index, c) in shapes.enumerated() {
            let (config, _) = setup(c)
            let x = randomTensor([c.n, c.h, c.w, c.cin], seed: UInt64(300 + index), range: -4...4)
            let wt = randomTensor([c.k, c.k, c.cin, c.cout], seed: UInt64(400 + index))
            let bias = randomTensor([c.cout], seed: UInt64(500 + index))
            let packed = PackedMatrix(wt)
            withThreadCounts([1, 2]) { threads in
                let plain = conv2d(x, weight: wt, bias: bias, config: config, activation: .relu)
                let prepacked = conv2d(x, weight: wt, packedWeight: packed, bias: bias, config: config, activation: .relu)
                #expect(prepacked.shape == plain.shape)
                #expect(prepacked.scalars == plain.scalars, "case \(index), \(threads) thread(s)")
            }
        }
    }

    @Test func resultsAreIdenticalAcrossThreadCounts() {
        let c = cases[5]
        let (config, _) = setup(c)
        let x = randomTensor([3, 40, 40, c.cin], seed: 8), wt = randomTensor([c.k, c.k, 1, c.cout], seed: 9)
        let x2 = randomTensor([2, 30, 30, 24], seed: 10), w2 = randomTensor([3, 3, 24, 40], seed: 11)
        let few = cases[8], (fewConfig, _) = setup(few)   // depthwise split by channels on 2 threads
        let x3 = randomTensor([few.n, few.h, few.w, few.cin], seed: 15), w3 = randomTensor([few.k, few.k, 1, few.cout], seed: 16)
        var outputs: [[Float]] = []
        withThreadCounts([1, 2]) { _ in
            outputs.append(conv2d(x, weight: wt, config: config).scalars + conv2d(x2, weight: w2, config: Conv2DConfig(padding: .same)).scalars
                           + conv2d(x3, weight: w3, config: fewConfig).scalars
                           + conv2dBackward(x, weight: wt, gradOutput: conv2d(x, weight: wt, config: config), config: config).weight.scalars)
        }
        #expect(outputs[0] == outputs[1])
    }
}
