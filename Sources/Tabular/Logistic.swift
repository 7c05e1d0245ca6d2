import Foundation

/// L2-regularised logistic regression fitted with L-BFGS.
public struct LogisticModel: Codable, Sendable {
    public var weights: [Double]
    public var bias: Double
    public var lambda: Double

    /// sigma(z) = 1 / (1 + e^-z), computed without overflow for large |z|.
    @inline(__always)
    public static func sigmoid(_ z: Double) -> Double {
        z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
    }

    /// Loss and gradient at theta = (w, b):
    ///   L = (1/n) sum_i [log(1 + e^{z_i}) - y_i z_i] + (lambda/2) |w|^2,  z_i = w.x_i + b
    ///   dL/dw = (1/n) sum_i (sigma(z_i) - y_i) x_i + lambda w,  dL/db = (1/n) sum_i (sigma(z_i) - y_i)
    /// The bias is not penalised.
    public static func loss(_ theta: [Double], _ x: FeatureMatrix, _ y: [Int], lambda: Double, gradient g: inout [Double]) -> Double {
        loss(theta, SparseRows(x), y, lambda: lambda, gradient: &g)
    }

    /// The same on sparse rows (recipes make mostly one-hot, mostly zero inputs).
    static func loss(_ theta: [Double], _ x: SparseRows, _ y: [Int], lambda: Double, gradient g: inout [Double]) -> Double {
        let d = x.columns, n = x.rows
        for j in g.indices { g[j] = 0 }
        var total = 0.0
        for i in 0..<n {
            var z = theta[d]
            for k in x.start[i]..<x.start[i + 1] { z += theta[x.index[k]] * x.value[k] }
            // log(1 + e^z) evaluated stably.
            total += (z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))) - Double(y[i]) * z
            let r = sigmoid(z) - Double(y[i])
            for k in x.start[i]..<x.start[i + 1] { g[x.index[k]] += r * x.value[k] }
            g[d] += r
        }
        let inv = 1 / Double(Swift.max(n, 1))
        var penalty = 0.0
        for j in 0..<d {
            g[j] = g[j] * inv + lambda * theta[j]
            penalty += theta[j] * theta[j]
        }
        g[d] *= inv
        return total * inv + 0.5 * lambda * penalty
    }

    /// Fits from zero, or from `start` (a neighbouring lambda's solution: a warm start).
    public static func fit(_ x: FeatureMatrix, _ y: [Int], lambda: Double, start: LogisticModel? = nil) -> LogisticModel {
        let solver = LBFGS(gradientTolerance: 1e-6)
        let theta0 = start.map { $0.weights + [$0.bias] } ?? [Double](repeating: 0, count: x.columns + 1)
        let sparse = SparseRows(x)
        let r = solver.minimize(theta0.count == x.columns + 1 ? theta0 : [Double](repeating: 0, count: x.columns + 1)) { theta, g in
            loss(theta, sparse, y, lambda: lambda, gradient: &g)
        }
        return LogisticModel(weights: Array(r.x[0..<x.columns]), bias: r.x[x.columns], lambda: lambda)
    }

    public func probability(_ row: ArraySlice<Double>) -> Double {
        var z = bias
        for (w, v) in zip(weights, row) { z += w * v }
        return Self.sigmoid(z)
    }
}

/// Compressed sparse rows: row i's non-zero entries are index/value[start[i]..<start[i+1]].
struct SparseRows {
    var rows: Int, columns: Int
    var start: [Int] = [0], index: [Int] = [], value: [Double] = []
    init(_ x: FeatureMatrix) {
        rows = x.rows; columns = x.columns
        for i in 0..<x.rows {
            for j in 0..<x.columns where x.values[i * x.columns + j] != 0 {
                index.append(j); value.append(x.values[i * x.columns + j])
            }
            start.append(index.count)
        }
    }
}
