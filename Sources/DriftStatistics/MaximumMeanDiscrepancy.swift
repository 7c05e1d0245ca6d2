import Foundation
import SeededRandom

/// The kernel two-sample test of Gretton, Borgwardt, Rasch, Schoelkopf and Smola ("A Kernel
/// Two-Sample Test", JMLR 13, 2012): the unbiased estimate of the squared maximum mean
/// discrepancy between samples X (m points) and Y (n points) under the Gaussian (RBF) kernel
/// k(x, y) = exp(-|x - y|^2 / (2 sigma^2)),
///
///     MMD^2_u = 1/(m(m-1)) sum_{i != j} k(x_i, x_j) + 1/(n(n-1)) sum_{i != j} k(y_i, y_j)
///               - 2/(mn) sum_{i, j} k(x_i, y_j)     (their eq. 3),
///
/// with sigma the median distance between all points of both samples (the median
/// heuristic, their section 8), and a permutation p-value: the share of random relabellings
/// of the pooled points whose MMD^2_u is at least the observed one, (1 + count) / (1 + P).
public struct MaximumMeanDiscrepancy: Sendable, Codable, Equatable {
    public var mmdSquared: Double
    /// The kernel width sigma (the median pairwise distance).
    public var bandwidth: Double
    public var pValue: Double
    public var permutations: Int

    /// Nil with fewer than 2 points in either sample or vectors of different lengths.
    public init?(_ x: [[Float]], _ y: [[Float]], permutations: Int = 500, seed: UInt64 = 1) {
        let m = x.count, n = y.count
        guard m >= 2, n >= 2, let dimension = x.first?.count, (x + y).allSatisfy({ $0.count == dimension }) else { return nil }
        let points = x + y, total = m + n
        // Squared distances once; the kernel matrix from them.
        var squared = [Double](repeating: 0, count: total * total)
        for i in 0..<total {
            for j in (i + 1)..<total {
                var s = 0.0
                for d in 0..<dimension {
                    let diff = Double(points[i][d]) - Double(points[j][d])
                    s += diff * diff
                }
                squared[i * total + j] = s
                squared[j * total + i] = s
            }
        }
        var distances: [Double] = []
        distances.reserveCapacity(total * (total - 1) / 2)
        for i in 0..<total { for j in (i + 1)..<total { distances.append(squared[i * total + j].squareRoot()) } }
        distances.sort()
        let median = Quantiles.linear(sorted: distances, 0.5)
        bandwidth = median > 0 ? median : 1
        let gamma = 1 / (2 * bandwidth * bandwidth)
        let kernel = squared.map { exp(-$0 * gamma) }

        func statistic(_ inX: [Bool]) -> Double {
            var xx = 0.0, yy = 0.0, xy = 0.0
            for i in 0..<total {
                let row = i * total
                for j in (i + 1)..<total {
                    let k = kernel[row + j]
                    switch (inX[i], inX[j]) {
                    case (true, true): xx += 2 * k
                    case (false, false): yy += 2 * k
                    default: xy += k
                    }
                }
            }
            return xx / Double(m * (m - 1)) + yy / Double(n * (n - 1)) - 2 * xy / Double(m * n)
        }
        var labels = (0..<total).map { $0 < m }
        let observed = statistic(labels)
        var rng = SeededGenerator(seed: seed)
        var atLeast = 0
        for _ in 0..<permutations {
            labels.shuffle(using: &rng)
            if statistic(labels) >= observed - 1e-12 { atLeast += 1 }
        }
        mmdSquared = observed
        pValue = Double(1 + atLeast) / Double(1 + permutations)
        self.permutations = permutations
    }
}
