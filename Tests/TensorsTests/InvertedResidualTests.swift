import Testing
@testable import Tensors
import TestSupport

/// The fused inverted residual block against the same block written out in Double
/// (NaiveConv for each convolution, ReLU6 between them, the input added at the end).
@Suite("Inverted residual") struct InvertedResidualTests {
    struct Case {
        var n, h, w, cin, mid, cout, k, stride: Int
        var dilation = 1
        var expands: Bool { mid != cin }
        var adds: Bool { stride == 1 && cin == cout }
    }

    let cases: [Case] = [
        Case(n: 2, h: 9, w: 11, cin: 8, mid: 40, cout: 8, k: 3, stride: 1),     // residual; 40 = 2 x 16 + 8 (scalar tail)
        Case(n: 1, h: 13, w: 10, cin: 6, mid: 36, cout: 10, k: 5, stride: 2),   // 5x5/2, uneven SAME padding
        Case(n: 1, h: 7, w: 6, cin: 32, mid: 32, cout: 16, k: 3, stride: 1),    // no expansion: depthwise reads x
        Case(n: 2, h: 8, w: 8, cin: 16, mid: 48, cout: 24, k: 3, stride: 2),
        Case(n: 1, h: 2, w: 5, cin: 4, mid: 16, cout: 4, k: 5, stride: 2),      // one output row, fewer than the threads
        Case(n: 1, h: 12, w: 9, cin: 16, mid: 64, cout: 16, k: 5, stride: 1),   // 5x5 residual, several bands per job
        Case(n: 1, h: 11, w: 7, cin: 8, mid: 24, cout: 8, k: 3, stride: 1, dilation: 2),  // the ring spans 5 rows
    ]

    func relu6(_ v: [Double]) -> [Double] { v.map { min(max($0, 0), 6) } }

    @Test("matches the block written out in Double, at 1, 2 and 3 threads")
    func matchesReference() {
        for (index, c) in cases.enumerated() {
            let seed = UInt64(100 * index)
            let x = randomTensor([c.n, c.h, c.w, c.cin], seed: seed)
            let we = randomTensor([1, 1, c.cin, c.mid], seed: seed + 1, range: -0.5...0.5)
            let be = randomTensor([c.mid], seed: seed + 2)
            let wd = randomTensor([c.k, c.k, 1, c.mid], seed: seed + 3, range: -0.5...0.5)
            let bd = randomTensor([c.mid], seed: seed + 4)
            let wp = randomTensor([1, 1, c.mid, c.cout], seed: seed + 5, range: -0.5...0.5)
            let bp = randomTensor([c.cout], seed: seed + 6)

            // Reference in Double.
            let pointwise = { (cin: Int, cout: Int, h: Int, w: Int) in
                NaiveConv(n: c.n, h: h, w: w, cin: cin, kh: 1, kw: 1, cout: cout, groups: 1, stride: 1, dilation: 1,
                          top: 0, bottom: 0, left: 0, right: 0)
            }
            let expanded = c.expands ? relu6(pointwise(c.cin, c.mid, c.h, c.w)(x.doubles, we.doubles, be.doubles)) : x.doubles
            let (top, bottom) = samePadding(size: c.h, kernel: c.k, stride: c.stride, dilation: c.dilation)
            let (left, right) = samePadding(size: c.w, kernel: c.k, stride: c.stride, dilation: c.dilation)
            let dw = NaiveConv(n: c.n, h: c.h, w: c.w, cin: c.mid, kh: c.k, kw: c.k, cout: c.mid, groups: c.mid,
                               stride: c.stride, dilation: c.dilation, top: top, bottom: bottom, left: left, right: right)
            let mid = relu6(dw(expanded, wd.doubles, bd.doubles))
            var expected = pointwise(c.mid, c.cout, dw.oh, dw.ow)(mid, wp.doubles, bp.doubles)
            if c.adds { expected = zip(expected, x.doubles).map { $0 + $1 } }

            let stages = (
                expand: c.expands ? PointwiseStage(weights: PackedMatrix(we), bias: be, activation: .relu6) : nil,
                depthwise: DepthwiseStage(weight: wd, bias: bd,
                                          config: Conv2DConfig(stride: c.stride, padding: .same, dilation: c.dilation, groups: c.mid),
                                          activation: .relu6),
                project: PointwiseStage(weights: PackedMatrix(wp), bias: bp, activation: .none))
            withThreadCounts { threads in
                let out = Tensor(shape: [0])
                let y = invertedResidual(x, expand: stages.expand, depthwise: stages.depthwise, project: stages.project,
                                         addInput: c.adds, out: out)
                #expect(y.shape == [c.n, dw.oh, dw.ow, c.cout], "case \(index)")
                expectClose(y.scalars, expected, absolute: 1e-4, relative: 1e-5, "case \(index), \(threads) threads")
            }
        }
    }
}
