/// Pixel-level metrics of anomaly maps against ground-truth masks.
public enum PixelMetrics {
    /// Pixel AUROC over all pixels of all images (maps and masks of equal sizes, mask pixels
    /// true where the defect is). Scores are binned into 4096 levels between the global
    /// minimum and maximum so millions of pixels need no sort; the binning error is below
    /// 1/4096 of the score range.
    public static func auroc(maps: [[Float]], masks: [[Bool]]) -> Double? {
        precondition(maps.count == masks.count, "PixelMetrics.auroc: \(maps.count) maps for \(masks.count) masks")
        var low = Float.infinity, high = -Float.infinity
        for map in maps { for v in map { low = min(low, v); high = max(high, v) } }
        guard low.isFinite, high.isFinite else { return nil }
        let bins = 4096
        let scale = high > low ? Float(bins - 1) / (high - low) : 0
        var positive = [Double](repeating: 0, count: bins), negative = [Double](repeating: 0, count: bins)
        for (map, mask) in zip(maps, masks) {
            precondition(map.count == mask.count, "PixelMetrics.auroc: map of \(map.count) pixels, mask of \(mask.count)")
            for (v, isDefect) in zip(map, mask) {
                let bin = Int((v - low) * scale)
                if isDefect { positive[bin] += 1 } else { negative[bin] += 1 }
            }
        }
        let p = positive.reduce(0, +), n = negative.reduce(0, +)
        guard p > 0, n > 0 else { return nil }
        // For each bin: positives in it beat all negatives in lower bins, tie with its own.
        var negativesBelow = 0.0, u = 0.0
        for bin in 0..<bins {
            u += positive[bin] * (negativesBelow + negative[bin] / 2)
            negativesBelow += negative[bin]
        }
        return u / (p * n)
    }
}
