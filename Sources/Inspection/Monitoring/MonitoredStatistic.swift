import Imaging

/// The figures of a photo that `inspect monitor` compares with the training baseline: the
/// image statistics and the model's score.
public enum MonitoredStatistic: String, Sendable, Codable, CaseIterable {
    case width, height, brightness, contrast, sharpness, score

    /// The statistic of an image (nil for the score, which is not an image statistic).
    public func value(of statistics: ImageStatistics) -> Double? {
        switch self {
        case .width: Double(statistics.width)
        case .height: Double(statistics.height)
        case .brightness: statistics.brightness
        case .contrast: statistics.contrast
        case .sharpness: statistics.sharpness
        case .score: nil
        }
    }

    /// What it is, for reports.
    public var meaning: String {
        switch self {
        case .width: "photo width (pixels)"
        case .height: "photo height (pixels)"
        case .brightness: "mean luma (0-255)"
        case .contrast: "standard deviation of the luma"
        case .sharpness: "variance of the luma's Laplacian"
        case .score: "the model's anomaly score"
        }
    }
}
