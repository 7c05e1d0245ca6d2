/// Quantiles of samples.
public enum Quantiles {
    /// The q-quantile (q in 0...1) of values in ascending order, linearly interpolated between
    /// order statistics (Hyndman and Fan's type 7, NumPy's default); 0 for no values.
    public static func linear(sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let position = min(max(q, 0), 1) * Double(sorted.count - 1)
        let low = Int(position.rounded(.down)), high = min(low + 1, sorted.count - 1)
        let t = position - Double(low)
        return sorted[low] * (1 - t) + sorted[high] * t
    }
}
