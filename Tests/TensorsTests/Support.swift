// Shared test helpers: seeded random data, comparisons with stated tolerances.
import Testing
@testable import Tensors
import SeededRandom

/// Unit roundoff of Float32: every Float32 operation has relative error at most u.
let float32Roundoff = Double(Float.ulpOfOne) / 2

func randomTensor(_ shape: [Int], seed: UInt64, range: ClosedRange<Float> = -1...1) -> Tensor {
    var rng = SeededGenerator(seed: seed)
    return Tensor.randomUniform(shape: shape, in: range, using: &rng)
}

/// Expects |actual - expected| <= tolerance(i) elementwise, reporting the worst element.
func expectClose(_ actual: [Float], _ expected: [Double], tolerance: (Int) -> Double,
                 _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(what): count \(actual.count) vs \(expected.count)", sourceLocation: sourceLocation)
    var worst = 0.0, worstIndex = -1
    for i in 0..<min(actual.count, expected.count) {
        let excess = abs(Double(actual[i]) - expected[i]) - tolerance(i)
        if !(excess <= 0) && (worstIndex < 0 || !(excess <= worst)) { worst = excess; worstIndex = i }
    }
    if worstIndex >= 0 {
        Issue.record("\(what): element \(worstIndex) is \(actual[worstIndex]), expected \(expected[worstIndex]) (tolerance \(tolerance(worstIndex)))",
                     sourceLocation: sourceLocation)
    }
}

/// Elementwise |actual - expected| <= absolute + relative * |expected|.
func expectClose(_ actual: [Float], _ expected: [Double], absolute: Double, relative: Double = 0,
                 _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    expectClose(actual, expected, tolerance: { absolute + relative * abs(expected[$0]) }, what,
                sourceLocation: sourceLocation)
}

/// Runs `body` with the shared pool at each thread count, restoring it afterwards.
func withThreadCounts(_ counts: [Int] = [1, 2, 3], _ body: (Int) -> Void) {
    let saved = WorkerPool.shared.threads
    defer { WorkerPool.shared.threads = saved }
    for count in counts {
        WorkerPool.shared.threads = count
        body(count)
    }
}

/// Central finite differences of a Double function: (f(x + h e_i) - f(x - h e_i)) / 2h.
/// Truncation error is O(h^2 f'''), rounding error O(eps_double |f| / h).
func numericGradient(_ x: [Double], h: Double = 1e-6, _ f: ([Double]) -> Double) -> [Double] {
    var probe = x
    return (0..<x.count).map { i in
        probe[i] = x[i] + h
        let up = f(probe)
        probe[i] = x[i] - h
        let down = f(probe)
        probe[i] = x[i]
        return (up - down) / (2 * h)
    }
}

extension Tensor {
    var doubles: [Double] { scalars.map(Double.init) }
}

/// Fixed random weights r for the scalar test loss L(y) = sum_i r_i y_i, so dL/dy = r.
func lossWeights(_ count: Int, seed: UInt64) -> [Double] {
    var rng = SeededGenerator(seed: seed)
    return (0..<count).map { _ in Double.random(in: -1...1, using: &rng) }
}

func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
