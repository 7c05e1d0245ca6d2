// Gradient checks: central finite differences of a Double function, and the scalar test loss
// L(y) = sum_i r_i y_i whose gradient with respect to y is r.
import SeededRandom
import Tensors

/// Central finite differences of a Double function: (f(x + h e_i) - f(x - h e_i)) / 2h.
/// Truncation error is O(h^2 f'''), rounding error O(eps_double |f| / h).
public func numericGradient(_ x: [Double], h: Double = 1e-6, _ f: ([Double]) -> Double) -> [Double] {
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

/// Fixed random weights r for the scalar test loss L(y) = sum_i r_i y_i, so dL/dy = r.
public func lossWeights(_ count: Int, seed: UInt64) -> [Double] {
    var rng = SeededGenerator(seed: seed)
    return (0..<count).map { _ in Double.random(in: -1...1, using: &rng) }
}

public func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
