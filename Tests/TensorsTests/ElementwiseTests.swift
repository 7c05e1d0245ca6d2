import Foundation
import Testing
@testable import Tensors
import TestSupport

@Suite("Elementwise and reductions") struct ElementwiseTests {
    @Test func addAndMultiplyWithBroadcast() {
        let a = randomTensor([2, 3, 5, 19], seed: 1), b = randomTensor([2, 3, 5, 19], seed: 2), v = randomTensor([19], seed: 3)
        // Single Float32 operations are correctly rounded: error <= u * |result|.
        expectClose(add(a, b).scalars, zip(a.doubles, b.doubles).map { $0 + $1 }, absolute: 0, relative: float32Roundoff, "add")
        expectClose(multiply(a, b).scalars, zip(a.doubles, b.doubles).map { $0 * $1 }, absolute: 0, relative: float32Roundoff, "multiply")
        expectClose(add(a, v).scalars, a.doubles.enumerated().map { $1 + Double(v.data[$0 % 19]) }, absolute: 0, relative: float32Roundoff, "add broadcast")
        expectClose(multiply(a, v).scalars, a.doubles.enumerated().map { $1 * Double(v.data[$0 % 19]) }, absolute: 0, relative: float32Roundoff, "multiply broadcast")
    }

    @Test func zeroPaddedAddLinesUpTheOriginAndLeadingChannels() {
        // dlib's add_prev: the smaller tensor is zero-padded at the end of H, W and C.
        let a = randomTensor([2, 3, 4, 2], seed: 4), b = randomTensor([2, 2, 3, 5], seed: 5)
        func value(_ t: Tensor, _ n: Int, _ y: Int, _ x: Int, _ c: Int) -> Double {
            let s = t.shape
            guard y < s[1], x < s[2], c < s[3] else { return 0 }
            return Double(t.data[((n * s[1] + y) * s[2] + x) * s[3] + c])
        }
        var expected: [Double] = []
        for n in 0..<2 { for y in 0..<3 { for x in 0..<4 { for c in 0..<5 { expected.append(value(a, n, y, x, c) + value(b, n, y, x, c)) } } } }
        let sum = addZeroPadded(a, b)
        #expect(sum.shape == [2, 3, 4, 5])
        expectClose(sum.scalars, expected, absolute: 0, relative: float32Roundoff, "zero-padded add")
        expectClose(addZeroPadded(b, a).scalars, expected, absolute: 0, relative: float32Roundoff, "either order")
    }

    @Test func concatAlongChannelsAndRows() {
        let a = randomTensor([2, 3, 4, 5], seed: 1), b = randomTensor([2, 3, 4, 7], seed: 2)
        let y = concat([a, b], axis: 3)
        #expect(y.shape == [2, 3, 4, 12])
        for p in 0..<24 { for ch in 0..<12 {
            let expected = ch < 5 ? a.data[p * 5 + ch] : b.data[p * 7 + ch - 5]
            #expect(y.data[p * 12 + ch] == expected)
        } }
        let rows = concat([a, randomTensor([1, 3, 4, 5], seed: 3)], axis: 0)
        #expect(rows.shape == [3, 3, 4, 5] && Array(rows.scalars[0..<120]) == a.scalars)
    }

    /// PReLU against its definition, for channel counts that are and are not multiples of 16
    /// (the slopes repeat over lcm(c, 16) values: several periods for 10 and 28 channels), with
    /// a scalar tail at the end of the tensor: x if x > 0 else slope[c] * x is one Float32
    /// multiply, exact to compare.
    @Test func preluMatchesItsDefinition() {
        for (i, c) in [10, 16, 28, 37].enumerated() {
            let x = randomTensor([3, 5, c], seed: UInt64(60 + i)), slopes = randomTensor([c], seed: UInt64(70 + i), range: 0...0.5)
            let expected = x.scalars.enumerated().map { $1 > 0 ? $1 : slopes.data[$0 % c] * $1 }
            let y = preluInPlace(x, slopes: slopes)
            #expect(y === x)
            expectClose(y.scalars, expected.map(Double.init), absolute: 0, "prelu \(c) channels")
        }
    }

    @Test func activationsAndTheirGradients() {
        let x = randomTensor([5, 37], seed: 4, range: -8...8)
        let r = lossWeights(x.count, seed: 5)
        let dy = Tensor(shape: x.shape, data: r.map(Float.init))
        for kind in [Activation.none, .relu, .relu6] {
            func f(_ v: Double) -> Double {
                switch kind { case .none: v; case .relu: max(v, 0); case .relu6: min(max(v, 0), 6) }
            }
            let y = activation(x, kind)
            expectClose(y.scalars, x.scalars.map { Double(Float(f(Double($0)))) }, absolute: 0, "\(kind) forward")
            let dx = activationBackward(output: y, gradOutput: dy, kind)
            // Piecewise linear: exact away from the kinks at 0 and 6.
            expectClose(dx.scalars, numericGradient(x.doubles) { dot(r, $0.map(f)) }, absolute: 1e-6, "\(kind) backward")
        }
        let s = sigmoid(x)
        // expf has error of a few ulp; the division adds one more: 4 u relative.
        expectClose(s.scalars, x.doubles.map { 1 / (1 + exp(-$0)) }, absolute: 1e-30, relative: 4 * Double(Float.ulpOfOne), "sigmoid")
        let ds = sigmoidBackward(output: s, gradOutput: dy)
        // Smooth function: O(h^2) truncation ~1e-12; Float32 product of three factors: 1e-6.
        expectClose(ds.scalars, numericGradient(x.doubles) { dot(r, $0.map { 1 / (1 + exp(-$0)) }) }, absolute: 1e-6, "sigmoid backward")
    }

    @Test func meanVarianceOverChannelsAndRows() {
        let x = randomTensor([3, 4, 5, 6], seed: 6, range: 10...12)   // offset data: tests the two-pass formula
        let (mean, variance) = meanVariance(x, axes: 0..<3)
        #expect(mean.shape == [6] && variance.shape == [6])
        var m = [Double](repeating: 0, count: 6), v = m
        for i in 0..<x.count { m[i % 6] += Double(x.data[i]) / 60 }
        for i in 0..<x.count { v[i % 6] += pow(Double(x.data[i]) - m[i % 6], 2) / 60 }
        // Double accumulation, one final rounding to Float32.
        expectClose(mean.scalars, m, absolute: 0, relative: 2 * float32Roundoff, "channel mean")
        expectClose(variance.scalars, v, absolute: 0, relative: 2 * float32Roundoff, "channel variance")
        let (rowMean, _) = meanVariance(x, axes: 3..<4)
        #expect(rowMean.shape == [3, 4, 5])
        expectClose(rowMean.scalars, (0..<60).map { r in (0..<6).reduce(0.0) { $0 + Double(x.data[r * 6 + $1]) } / 6 },
                    absolute: 0, relative: 2 * float32Roundoff, "row mean")
    }

    @Test func softmaxAndLogSumExpAreStable() {
        let x = randomTensor([4, 9], seed: 7, range: -5...5)
        for i in 0..<9 { x.data[i] += 1000 }   // first row would overflow a naive exp
        let lse = logSumExp(x)
        let expected = (0..<4).map { r -> Double in
            let row = (0..<9).map { Double(x.data[r * 9 + $0]) }
            let m = row.max()!
            return m + log(row.reduce(0) { $0 + exp($1 - m) })
        }
        // The result rounds to Float32 once after exp/log of a few ulp: 4 u relative.
        expectClose(lse.scalars, expected, absolute: 0, relative: 4 * Double(Float.ulpOfOne), "logsumexp")
        let p = softmax(x)
        let expectedP = (0..<36).map { exp(Double(x.data[$0]) - expected[$0 / 9]) }
        // exp of an argument carrying lse's absolute error (|lse| ~ 1000 -> 1000 u): relative 1e-4.
        expectClose(p.scalars, expectedP, absolute: 1e-7, relative: 1e-4, "softmax")
        expectClose(Double(sum(p)), 4, absolute: 1e-4, "sum of the four softmax rows")
    }
}
