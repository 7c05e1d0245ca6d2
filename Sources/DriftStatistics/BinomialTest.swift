import Foundation

/// The exact one-sided binomial test: with n trials each a success with probability p, how
/// likely are at least k successes? P(X >= k) = sum_{i=k}^{n} C(n, i) p^i (1 - p)^(n - i).
public enum BinomialTest {
    /// The upper-tail p-value P(X >= k | n, p). Each term is computed in log space (log
    /// C(n, i) from lgamma), so large n neither overflows nor underflows before the sum.
    public static func upperTail(successes k: Int, trials n: Int, probability p: Double) -> Double {
        guard k > 0 else { return 1 }
        guard k <= n else { return 0 }
        if p <= 0 { return 0 }
        if p >= 1 { return 1 }
        let logP = log(p), logQ = log1p(-p)
        let logNFactorial = logGamma(Double(n) + 1)
        func logTerm(_ i: Int) -> Double {
            logNFactorial - logGamma(Double(i) + 1) - logGamma(Double(n - i) + 1) + Double(i) * logP + Double(n - i) * logQ
        }
        // Sum the smaller tail: beyond the mean the upper one, else 1 minus the lower one.
        let mean = Double(n) * p
        if Double(k) > mean {
            var sum = 0.0
            for i in k...n {
                let t = exp(logTerm(i))
                sum += t
                if t < sum * 1e-17 { break }
            }
            return min(1, sum)
        }
        var lower = 0.0
        for i in stride(from: k - 1, through: 0, by: -1) {
            let t = exp(logTerm(i))
            lower += t
            if t < lower * 1e-17 { break }
        }
        return min(1, max(0, 1 - lower))
    }
}

/// ln Gamma(x) (the C library's lgamma, named by its return type: Glibc also offers one
/// returning the sign).
func logGamma(_ x: Double) -> Double {
    let value: Double = lgamma(x)
    return value
}
