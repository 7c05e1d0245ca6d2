import Foundation

/// The two-sample Kolmogorov-Smirnov test: do two samples come from the same continuous
/// distribution?
public struct KolmogorovSmirnov: Sendable, Codable, Equatable {
    /// D = sup_x |F_1(x) - F_2(x)|, the largest gap between the two empirical distribution
    /// functions.
    public var statistic: Double
    /// The asymptotic p-value P(D' >= D) under the null hypothesis.
    public var pValue: Double
    /// True for the one-sided test that the second sample tends to larger values.
    public var oneSided: Bool

    /// The two-sided test; nil when either sample is empty.
    public init?(_ first: [Double], _ second: [Double]) {
        guard !first.isEmpty, !second.isEmpty else { return nil }
        let d = Self.gaps(first, second).largest
        statistic = d
        pValue = Self.pValue(statistic: d, n: first.count, m: second.count)
        oneSided = false
    }

    /// The one-sided test that `second` tends to larger values than `first`: D+ = sup_x
    /// (F_1(x) - F_2(x)), with Hodges' asymptotic p-value (Hodges 1958, eq. 5.3, as SciPy's
    /// ks_2samp computes it): with m >= n the two sample sizes and z = sqrt(mn / (m + n)) D+,
    /// p = exp(-2 z^2 - 2 z (m + 2n) / (3 sqrt(mn (m + n)))). Nil when either sample is empty.
    public init?(_ first: [Double], secondLarger second: [Double]) {
        guard !first.isEmpty, !second.isEmpty else { return nil }
        let d = Self.gaps(first, second).firstAbove
        let m = Double(max(first.count, second.count)), n = Double(min(first.count, second.count))
        let z = (m * n / (m + n)).squareRoot() * d
        statistic = d
        pValue = min(1, max(0, exp(-2 * z * z - 2 * z * (m + 2 * n) / (m * n * (m + n)).squareRoot() / 3)))
        oneSided = true
    }

    /// D by one merge of the sorted samples; tied values are stepped over together, so
    /// equal samples give 0.
    public static func statistic(_ first: [Double], _ second: [Double]) -> Double {
        gaps(first, second).largest
    }

    /// The largest |F_1 - F_2| and the largest F_1 - F_2 (at least 0) of the empirical
    /// distribution functions, by one merge of the sorted samples.
    static func gaps(_ first: [Double], _ second: [Double]) -> (largest: Double, firstAbove: Double) {
        let a = first.sorted(), b = second.sorted()
        var i = 0, j = 0, d = 0.0, above = 0.0
        while i < a.count && j < b.count {
            let x = min(a[i], b[j])
            while i < a.count && a[i] == x { i += 1 }
            while j < b.count && b[j] == x { j += 1 }
            let gap = Double(i) / Double(a.count) - Double(j) / Double(b.count)
            d = max(d, abs(gap))
            above = max(above, gap)
        }
        return (d, above)
    }

    /// The p-value of D for samples of n and m values: the Kolmogorov distribution's tail
    /// Q(lambda) at lambda = (sqrt(N) + 0.12 + 0.11 / sqrt(N)) D with N = nm / (n + m), the
    /// effective size with Stephens' small-sample correction (Stephens 1970; Numerical Recipes,
    /// 3rd ed., section 14.3.3).
    public static func pValue(statistic d: Double, n: Int, m: Int) -> Double {
        let en = (Double(n) * Double(m) / Double(n + m)).squareRoot()
        return kolmogorovTail((en + 0.12 + 0.11 / en) * d)
    }

    /// Q(lambda) = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 lambda^2), the probability that the
    /// Kolmogorov distribution exceeds lambda (1 at 0). For small lambda the alternating
    /// series converges slowly, so 1 - sqrt(2 pi)/lambda sum_{k>=1} exp(-(2k-1)^2 pi^2 /
    /// (8 lambda^2)), the same function by Jacobi's theta identity, is summed instead.
    public static func kolmogorovTail(_ lambda: Double) -> Double {
        guard lambda > 0 else { return 1 }
        if lambda < 1.18 {
            var sum = 0.0
            for k in 1...20 {
                let odd = Double(2 * k - 1)
                sum += exp(-odd * odd * Double.pi * Double.pi / (8 * lambda * lambda))
            }
            return min(1, max(0, 1 - (2 * Double.pi).squareRoot() / lambda * sum))
        }
        var sum = 0.0, sign = 1.0
        for k in 1...100 {
            let term = exp(-2 * Double(k * k) * lambda * lambda)
            sum += sign * term
            if term < 1e-16 { break }
            sign = -sign
        }
        return min(1, max(0, 2 * sum))
    }
}
