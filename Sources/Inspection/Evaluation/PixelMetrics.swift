/// Pixel-level metrics of anomaly maps against ground-truth masks.
public enum PixelMetrics {
    /// Pixel AUROC over all pixels of all images (maps and masks of equal sizes, mask pixels
    /// true where the defect is). Scores are binned into 4096 levels between the global
    /// minimum and maximum so millions of pixels need no sort; the binning error is below
    /// 1/4096 of the score range.
    public static func auroc(maps: [[Float]], masks: [[Bool]]) -> Double? {
        precondition(maps.count == masks.count, "PixelMetrics.auroc: \(maps.count) maps for \(masks.count) masks")
        guard let binning = ScoreBinning(maps) else { return nil }
        let bins = ScoreBinning.bins
        var positive = [Double](repeating: 0, count: bins), negative = [Double](repeating: 0, count: bins)
        for (map, mask) in zip(maps, masks) {
            precondition(map.count == mask.count, "PixelMetrics.auroc: map of \(map.count) pixels, mask of \(mask.count)")
            for (v, isDefect) in zip(map, mask) {
                let bin = binning.bin(v)
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

    /// Per-region overlap (PRO), normalised area under the PRO curve up to a false-positive
    /// rate of `fprLimit` (Bergmann et al., "The MVTec Anomaly Detection Dataset", IJCV 2021).
    ///
    /// Each connected defect region of the masks (8-connected) counts once whatever its size:
    /// at a threshold t, its overlap is the share of its pixels scoring >= t, and PRO(t) is the
    /// mean overlap over all regions. The false-positive rate at t is the share of defect-free
    /// pixels scoring >= t. The area under PRO(FPR) from 0 to `fprLimit` (trapezoids, with the
    /// curve interpolated at the limit) is divided by `fprLimit`, so 1 is perfect and a random
    /// map scores about fprLimit / 2. Thresholds are 4096 levels between the global minimum and
    /// maximum, as in `auroc`. `width` is the row length of every map and mask.
    public static func perRegionOverlap(maps: [[Float]], masks: [[Bool]], width: Int, fprLimit: Double = 0.3) -> Double? {
        precondition(maps.count == masks.count, "PixelMetrics.perRegionOverlap: \(maps.count) maps for \(masks.count) masks")
        precondition(width > 0 && fprLimit > 0 && fprLimit <= 1, "PixelMetrics.perRegionOverlap: width \(width), fprLimit \(fprLimit)")
        guard let binning = ScoreBinning(maps) else { return nil }
        let bins = ScoreBinning.bins
        // overlapMass[b]: sum over regions of (region pixels in bin b) / region size.
        var overlapMass = [Double](repeating: 0, count: bins), negative = [Double](repeating: 0, count: bins)
        var regions = 0
        for (map, mask) in zip(maps, masks) {
            precondition(map.count == mask.count && mask.count % width == 0,
                         "PixelMetrics.perRegionOverlap: map of \(map.count) pixels, mask of \(mask.count), width \(width)")
            let (labels, sizes) = connectedRegions(mask, width: width)
            regions += sizes.count
            for (i, v) in map.enumerated() {
                let bin = binning.bin(v)
                let label = labels[i]
                if label < 0 { negative[bin] += 1 } else { overlapMass[bin] += 1 / Double(sizes[label]) }
            }
        }
        let negatives = negative.reduce(0, +)
        guard regions > 0, negatives > 0 else { return nil }
        // Sweep thresholds from the highest bin down: FPR and PRO only grow.
        var area = 0.0, previousFPR = 0.0, previousPRO = 0.0, negativesAbove = 0.0, overlapAbove = 0.0
        for bin in stride(from: bins - 1, through: 0, by: -1) {
            negativesAbove += negative[bin]
            overlapAbove += overlapMass[bin]
            let fpr = negativesAbove / negatives, pro = overlapAbove / Double(regions)
            if fpr >= fprLimit {
                // Interpolate the curve at the limit and stop.
                let t = fpr > previousFPR ? (fprLimit - previousFPR) / (fpr - previousFPR) : 0
                area += (fprLimit - previousFPR) * (previousPRO + (previousPRO + t * (pro - previousPRO))) / 2
                return area / fprLimit
            }
            area += (fpr - previousFPR) * (previousPRO + pro) / 2
            previousFPR = fpr
            previousPRO = pro
        }
        return area / fprLimit
    }

    /// 8-connected regions of the true pixels: a label per pixel (-1 outside all regions) and
    /// each region's pixel count. Iterative flood fill, so large regions cannot overflow a stack.
    static func connectedRegions(_ mask: [Bool], width: Int) -> (labels: [Int], sizes: [Int]) {
        let height = mask.count / width
        var labels = [Int](repeating: -1, count: mask.count)
        var sizes: [Int] = []
        var stack: [Int] = []
        for start in mask.indices where mask[start] && labels[start] < 0 {
            let label = sizes.count
            var size = 0
            labels[start] = label
            stack.append(start)
            while let p = stack.popLast() {
                size += 1
                let (y, x) = p.quotientAndRemainder(dividingBy: width)
                for dy in -1...1 {
                    let ny = y + dy
                    guard ny >= 0, ny < height else { continue }
                    for dx in -1...1 {
                        let nx = x + dx
                        guard nx >= 0, nx < width else { continue }
                        let q = ny * width + nx
                        if mask[q] && labels[q] < 0 {
                            labels[q] = label
                            stack.append(q)
                        }
                    }
                }
            }
            sizes.append(size)
        }
        return (labels, sizes)
    }
}

/// Scores binned into 4096 levels between the global minimum and maximum of the maps.
struct ScoreBinning {
    static let bins = 4096
    let low: Float
    let scale: Float

    init?(_ maps: [[Float]]) {
        var low = Float.infinity, high = -Float.infinity
        for map in maps { for v in map { low = min(low, v); high = max(high, v) } }
        guard low.isFinite, high.isFinite else { return nil }
        self.low = low
        scale = high > low ? Float(Self.bins - 1) / (high - low) : 0
    }

    @inline(__always) func bin(_ v: Float) -> Int { Int((v - low) * scale) }
}
