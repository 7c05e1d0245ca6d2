import Foundation
import ModelCards

/// The limits `inspect monitor` checks captured traffic against; `--write-constraints FILE`
/// writes these defaults and `--constraints FILE` reads an edited copy (a field left out
/// keeps its default). docs/MONITORING.md explains each default.
public struct DriftConstraints: Sendable, Codable, Equatable {
    /// A statistic's population stability index above this is a shift (the usual rule: above
    /// 0.25 a large one).
    public var maxPSI = 0.25
    /// A Kolmogorov-Smirnov p-value below this is a shift.
    public var minKSPValue = 0.01
    /// An anomaly rate whose one-sided binomial p-value against the baseline's expected rate
    /// is below this is too high.
    public var minBinomialPValue = 0.01
    /// An MMD permutation p-value of the feature sketches below this is a feature shift.
    public var minMMDPValue = 0.01
    /// A window's F1 (with ground truth) more than this below the baseline's is a drop in quality.
    public var maxF1Drop = 0.1
    /// With fewer captured requests than this the figures are shown but not judged.
    public var minRequests = 30
    /// Windows with fewer labelled requests than this are shown but not judged.
    public var minLabelledPerWindow = 20
    /// The statistics checked (of width, height, brightness, contrast, sharpness, score).
    public var statistics: [MonitoredStatistic] = MonitoredStatistic.allCases

    public init() {}

    enum CodingKeys: String, CodingKey {
        case maxPSI, minKSPValue, minBinomialPValue, minMMDPValue, maxF1Drop, minRequests, minLabelledPerWindow, statistics
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = DriftConstraints()
        maxPSI = try c.decodeIfPresent(Double.self, forKey: .maxPSI) ?? d.maxPSI
        minKSPValue = try c.decodeIfPresent(Double.self, forKey: .minKSPValue) ?? d.minKSPValue
        minBinomialPValue = try c.decodeIfPresent(Double.self, forKey: .minBinomialPValue) ?? d.minBinomialPValue
        minMMDPValue = try c.decodeIfPresent(Double.self, forKey: .minMMDPValue) ?? d.minMMDPValue
        maxF1Drop = try c.decodeIfPresent(Double.self, forKey: .maxF1Drop) ?? d.maxF1Drop
        minRequests = try c.decodeIfPresent(Int.self, forKey: .minRequests) ?? d.minRequests
        minLabelledPerWindow = try c.decodeIfPresent(Int.self, forKey: .minLabelledPerWindow) ?? d.minLabelledPerWindow
        statistics = try c.decodeIfPresent([MonitoredStatistic].self, forKey: .statistics) ?? d.statistics
    }

    /// Reads a constraints file; a bad value is an error naming the file and field.
    public static func read(_ path: String) throws(InspectionError) -> DriftConstraints {
        let constraints: DriftConstraints
        do { constraints = try ModelCardReader.read(DriftConstraints.self, from: path) } catch {
            throw InspectionError(path, error.problem)
        }
        for (name, value) in [("minKSPValue", constraints.minKSPValue), ("minBinomialPValue", constraints.minBinomialPValue),
                              ("minMMDPValue", constraints.minMMDPValue)] where !(0...1).contains(value) {
            throw InspectionError(path, "field \(name): \(value) is not a probability (0 to 1)")
        }
        guard constraints.maxPSI >= 0 else { throw InspectionError(path, "field maxPSI: must be 0 or more") }
        guard constraints.minRequests >= 0, constraints.minLabelledPerWindow >= 0 else {
            throw InspectionError(path, "fields minRequests and minLabelledPerWindow must be 0 or more")
        }
        return constraints
    }

    /// The defaults as indented JSON.
    public static func defaultsJSON() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return (try? encoder.encode(DriftConstraints())) ?? Data()
    }
}
