import Foundation

/// Quantile cut points, shared by the recipe's numeric bins, the trees' histograms and the
/// leakage guard's groups.
public enum Quantiles {
    /// Up to `bins - 1` distinct cut points splitting `values` into bins of about equal count.
    /// A value v falls in bin k when edges[k-1] < v <= edges[k] (see `bin`).
    public static func edges(_ values: [Double], bins: Int) -> [Double] {
        let sorted = values.sorted()
        guard sorted.count > 1, bins > 1 else { return [] }
        let distinct = Array(Set(sorted)).sorted()
        // Few distinct values: cut between each pair of neighbours (midpoints).
        if distinct.count <= bins {
            return (1..<distinct.count).map { (distinct[$0 - 1] + distinct[$0]) / 2 }
        }
        var cuts: [Double] = []
        for k in 1..<bins {
            // The value at rank k/bins of the data (lower empirical quantile).
            let idx = Swift.min(sorted.count - 1, Int((Double(k) / Double(bins) * Double(sorted.count)).rounded(.down)))
            let v = sorted[Swift.max(0, idx - 1)]
            if v < sorted[sorted.count - 1], cuts.last.map({ v > $0 }) ?? true { cuts.append(v) }
        }
        return cuts
    }

    /// Index of the bin for v: the number of edges strictly below v (0...edges.count).
    @inline(__always)
    public static func bin(_ v: Double, _ edges: [Double]) -> Int {
        var lo = 0, hi = edges.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if edges[mid] < v { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
