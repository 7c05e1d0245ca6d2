import Foundation

/// The cut-off that turns an anomaly map into the binary mask a person acts on, chosen from
/// the maps of good photos the memory did not learn from (out-of-fold), in the spirit of the
/// image threshold: a pixel of a good photo reaches it with a small, stated probability.
public struct MapCutOff: Sendable, Codable, Equatable {
    /// Map values at or above this are marked (memory distance units).
    public var value: Float
    /// The median map value of the good out-of-fold photos: the typical good level, from
    /// which an anomalous verdict's strongest response is measured when nothing reaches
    /// `value` (see `InspectionModel`).
    public var goodMedian: Float
    /// How it was chosen, on what.
    public var method: String

    public init(value: Float, goodMedian: Float, method: String) {
        self.value = value
        self.goodMedian = goodMedian
        self.method = method
    }

    /// The default share of good pixels that may be marked, chosen on training photos
    /// (docs/EVALUATION.md, "Inspection rules: what was tuned on which data").
    public static let defaultPixelFalseAlarmRate = 0.001

    /// Pixels sampled over all good photos (evenly spaced in each), to bound the work on
    /// large sets; at least 64 per photo.
    static let pixelSample = 1 << 20

    /// The (1 - rate) quantile of the good out-of-fold photos' map values: each good pixel
    /// is marked with probability about `rate`. `maps` gives photo `i`'s map at the model's
    /// input size; photos are visited one at a time so only one full map is held.
    public static func fromGoodMaps(count: Int, rate: Double = defaultPixelFalseAlarmRate,
                                    map: (Int) -> AnomalyMap) -> MapCutOff? {
        guard count > 0 else { return nil }
        var sample: [Float] = []
        let perPhoto = max(64, pixelSample / count)
        for i in 0..<count {
            let values = map(i).values
            let step = max(1, values.count / perPhoto)
            for j in stride(from: step / 2, to: values.count, by: step) { sample.append(values[j]) }
        }
        guard !sample.isEmpty else { return nil }
        sample.sort()
        return MapCutOff(value: quantile(sorted: sample, 1 - rate), goodMedian: quantile(sorted: sample, 0.5),
                         method: "the \(formatShare(1 - rate)) quantile of the map values of \(count) good training photos scored out of fold"
                                 + " (a good pixel is marked with probability \(formatShare(rate)))")
    }
}

/// 0.999 -> "99.9%", 0.05 -> "5%".
func formatShare(_ share: Double) -> String {
    let percent = share * 100
    for decimals in 0...4 {
        let text = String(format: "%.\(decimals)f", percent)
        if abs((Double(text) ?? 0) - percent) < 1e-9 { return text + "%" }
    }
    return String(format: "%.4f%%", percent)
}
