import Foundation

/// The population stability index (PSI) of a current sample against a reference one, over
/// bins cut at the reference's quantiles:
///
///     PSI = sum over bins of (a_i - e_i) ln(a_i / e_i)
///
/// with e_i the reference's share and a_i the current sample's share of bin i (Siddiqi,
/// "Credit Risk Scorecards", 2006, ch. 8; the usual reading: below 0.1 no shift, 0.1-0.25 a
/// moderate one, above 0.25 a large one). It is the symmetrised Kullback-Leibler divergence
/// of the two binned distributions.
///
/// Sampling noise alone gives a PSI of about (B - 1)(1/n + 1/m) for B bins and samples of n
/// and m values (each term is close to a chi-square term divided by the sample size), so the
/// rule of thumb holds only for large samples. The bins are therefore the reference's
/// deciles when both samples have 300 values or more, and fewer quantiles for smaller ones
/// (one bin per 30 values of the smaller sample, at least 2): on normal samples of 40 and 40
/// a PSI above 0.25 then comes by chance in 2.5% of draws and a shift of one standard
/// deviation passes it in 90% (tools/drift/psi_noise.py).
public struct PopulationStability: Sendable, Codable, Equatable {
    /// One bin of values in (lower, upper].
    public struct Bin: Sendable, Codable, Equatable {
        public var lower: Double
        public var upper: Double
        public var referenceShare: Double
        public var currentShare: Double
    }

    public var index: Double
    public var bins: [Bin]

    /// PSI of `current` against `reference`. Each bin's share is smoothed, (count + 0.5) /
    /// (n + 0.5 B) over B bins (the Jeffreys prior's half count), so an empty bin does not
    /// make the index infinite. Nil when either sample is empty.
    public init?(reference: [Double], current: [Double], quantiles: Int? = nil) {
        guard !reference.isEmpty, !current.isEmpty else { return nil }
        let q = quantiles ?? Self.quantileCount(reference.count, current.count)
        let edges = Self.edges(reference: reference, quantiles: q)
        let binCount = edges.count + 1
        func shares(_ values: [Double]) -> [Double] {
            var counts = [Double](repeating: 0, count: binCount)
            for v in values { counts[Self.bin(of: v, edges: edges)] += 1 }
            let total = Double(values.count) + 0.5 * Double(binCount)
            return counts.map { ($0 + 0.5) / total }
        }
        let e = shares(reference), a = shares(current)
        index = Self.index(expected: e, actual: a)
        bins = (0..<binCount).map { i in
            Bin(lower: i == 0 ? -.infinity : edges[i - 1], upper: i < edges.count ? edges[i] : .infinity,
                referenceShare: e[i], currentShare: a[i])
        }
    }

    /// Quantile bins for samples of `n` and `m` values: one per 30 values of the smaller
    /// sample, at least 2, at most 10 (deciles).
    public static func quantileCount(_ n: Int, _ m: Int) -> Int {
        max(2, min(10, min(n, m) / 30))
    }

    /// The bins' upper edges e_0 < ... < e_(k-1) (the last bin is open above): the
    /// reference's inner `quantiles`-quantiles, repeated values merged. A constant reference
    /// c gets the edges c - d and c (d = 1e-9 |c|, at least 1e-12), so its bins are below, at
    /// and above c.
    public static func edges(reference: [Double], quantiles: Int) -> [Double] {
        let sorted = reference.sorted()
        guard let low = sorted.first, let high = sorted.last else { return [] }
        if low == high { return [low - max(abs(low) * 1e-9, 1e-12), low] }
        var edges: [Double] = []
        for k in 1..<max(2, quantiles) {
            let value = Quantiles.linear(sorted: sorted, Double(k) / Double(max(2, quantiles)))
            if edges.last != value { edges.append(value) }
        }
        return edges
    }

    /// The bin of a value: how many edges lie strictly below it (bin j holds (e_(j-1), e_j]).
    public static func bin(of value: Double, edges: [Double]) -> Int {
        var low = 0, high = edges.count
        while low < high {
            let mid = (low + high) / 2
            if edges[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// sum (a_i - e_i) ln(a_i / e_i) of two share vectors of the same length (bins where
    /// either share is 0 are left out).
    public static func index(expected: [Double], actual: [Double]) -> Double {
        precondition(expected.count == actual.count, "PopulationStability: \(expected.count) expected shares, \(actual.count) actual")
        var sum = 0.0
        for (e, a) in zip(expected, actual) where e > 0 && a > 0 { sum += (a - e) * log(a / e) }
        return sum
    }
}
