import Foundation

/// The two-sample Kolmogorov-Smirnov test: do two samples come from the same continuous
/// distribution?
public struct KolmogorovSmirnov: Sendable, Codable, Equatable {
    /// D = sup_x |F_1(x) - F_2(x)|, the largest gap between the two empirical distribution
    /// functions.
    public var statistic: Double
    /// The asymptotic two-sided p-value P(D' >= D) under the null hypothesis.
    public var pValue: Double

    /// Nil when either sample is empty.
    public init?(_ first: [Double], _ second: [Double]) {
        guard !first.isEmpty, !second.isEmpty else { return nil }
        let d = Self.statistic(first, second)
        statistic = d
        pValue = Self.pValue(statistic: d, n: first.count, m: second.count)
    }

    /// D by one merge of the sorted samples; tied values are stepped over together, so
    /// equal samples give 0.
    public static func statistic(_ first: [Double], _ second: [Double]) -> Double {
        let a = first.sorted(), b = second.sorted()
        var i = 0, j = 0, d = 0.0
        while i < a.count && j < b.count {
            let x = min(a[i], b[j])
            while i < a.count && a[i] == x { i += 1 }
            while j < b.count && b[j] == x { j += 1 }
            d = max(d, abs(Double(i) / Double(a.count) - Double(j) / Double(b.count)))
        }
        return d
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
