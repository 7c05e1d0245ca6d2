import DriftStatistics
import Foundation

/// Compares captured inspections of one model with its training baseline (`DriftReport`).
public enum DriftAnalysis {
    /// Permutations of the MMD test; the captured sketches compared are the latest
    /// `MonitoringBaseline.maximumSketches`.
    public static let permutations = 500

    public static func analyse(model: String, baseline: MonitoringBaseline, events: [CapturedEvent], captureFiles: [String],
                               constraints: DriftConstraints, labels: [String: Bool]? = nil, windowSeconds: Double = 3600,
                               seed: UInt64 = 1) -> DriftReport {
        let dates = ISO8601DateFormatter()
        var report = DriftReport(model: model, captureFiles: captureFiles, requests: events.count,
                                 firstEvent: events.map(\.time).min().map { dates.string(from: $0) },
                                 lastEvent: events.map(\.time).max().map { dates.string(from: $0) },
                                 statistics: [], anomalyRate: nil, featureDrift: nil, quality: nil, constraints: constraints,
                                 judged: events.count >= constraints.minRequests && !events.isEmpty, violations: [])
        func violate(_ check: String, _ subject: String, _ value: Double, _ limit: Double, _ message: String) {
            guard report.judged else { return }
            report.violations.append(.init(check: check, subject: subject, value: value, limit: limit, message: message))
        }

        for statistic in constraints.statistics {
            let reference = baseline.values(statistic)
            let current = events.map { event in
                statistic == .score ? event.inspection.score : statistic.value(of: event.inspection.statistics) ?? 0
            }
            // The baseline's scores are out of fold (each from a memory without its photo's fold),
            // so new good photos score, if anything, lower under the final model: for the score
            // only a rise is a shift, and its test is one-sided.
            let test = statistic == .score ? KolmogorovSmirnov(reference, secondLarger: current) : KolmogorovSmirnov(reference, current)
            guard let psi = PopulationStability(reference: reference, current: current), let ks = test else { continue }
            report.statistics.append(.init(statistic: statistic, baselineCount: reference.count, currentCount: current.count,
                                           baselineMedian: Quantiles.linear(sorted: reference.sorted(), 0.5),
                                           currentMedian: Quantiles.linear(sorted: current.sorted(), 0.5), psi: psi, ks: ks))
            let name = statistic.rawValue
            if psi.index > constraints.maxPSI {
                violate("psi", name, psi.index, constraints.maxPSI,
                        String(format: "%@ moved: PSI %.3f > %.3f (median %@ in training, %@ now)", name, psi.index, constraints.maxPSI,
                               figure(Quantiles.linear(sorted: reference.sorted(), 0.5)), figure(Quantiles.linear(sorted: current.sorted(), 0.5))))
            }
            if ks.pValue < constraints.minKSPValue {
                violate("ks", name, ks.pValue, constraints.minKSPValue,
                        String(format: "%@ moved: %@Kolmogorov-Smirnov p = %.2g < %.2g (D = %.3f)", name,
                               ks.oneSided ? "higher than in training, one-sided " : "", ks.pValue, constraints.minKSPValue, ks.statistic))
            }
        }

        if !events.isEmpty {
            let flagged = events.count { $0.inspection.isAnomalous }
            let p = BinomialTest.upperTail(successes: flagged, trials: events.count, probability: baseline.expectedAnomalyRate)
            report.anomalyRate = .init(requests: events.count, flagged: flagged, observedRate: Double(flagged) / Double(events.count),
                                       expectedRate: baseline.expectedAnomalyRate, pValue: p)
            if p < constraints.minBinomialPValue {
                violate("binomial", "anomaly rate", p, constraints.minBinomialPValue,
                        String(format: "anomaly rate %.1f%% (%d of %d) is above the expected %.1f%%: binomial p = %.2g < %.2g",
                               100 * Double(flagged) / Double(events.count), flagged, events.count, 100 * baseline.expectedAnomalyRate,
                               p, constraints.minBinomialPValue))
            }
        }

        let dimension = baseline.featureSketch.dimension
        let current = events.suffix(MonitoringBaseline.maximumSketches).map(\.inspection.featureSketch).filter { $0.count == dimension }
        let reference = baseline.sketches.filter { $0.count == dimension }
        if let mmd = MaximumMeanDiscrepancy(reference, current, permutations: permutations, seed: seed) {
            report.featureDrift = .init(baselineCount: reference.count, currentCount: current.count, mmd: mmd)
            if mmd.pValue < constraints.minMMDPValue {
                violate("mmd", "features", mmd.pValue, constraints.minMMDPValue,
                        String(format: "features moved: MMD^2 %.4f, permutation p = %.3g < %.2g", mmd.mmdSquared, mmd.pValue,
                               constraints.minMMDPValue))
            }
        }

        if let labels {
            let quality = windowedQuality(events: events, labels: labels, windowSeconds: windowSeconds, baseline: baseline.quality)
            report.quality = quality
            if let baselineF1 = baseline.quality?.f1 {
                for window in quality.windows where window.labelled >= constraints.minLabelledPerWindow {
                    let f1 = window.f1 ?? 0
                    if baselineF1 - f1 > constraints.maxF1Drop {
                        violate("f1", "quality \(window.start)", f1, baselineF1 - constraints.maxF1Drop,
                                String(format: "F1 %.3f from %@ to %@ is more than %.2f below the baseline's %.3f", f1, window.start,
                                       window.end, constraints.maxF1Drop, baselineF1))
                    }
                }
            }
        }
        return report
    }

    /// Precision, recall and F1 of the captured verdicts against the labels, per window of
    /// `windowSeconds` (windows aligned to the Unix epoch, so hours start on the hour).
    static func windowedQuality(events: [CapturedEvent], labels: [String: Bool], windowSeconds: Double,
                                baseline: MonitoringBaseline.Quality?) -> DriftReport.Quality {
        var byWindow: [Int: (scores: [Double], truth: [Bool])] = [:]
        var matched = Set<String>()
        for event in events {
            guard let truth = labels[event.eventId] else { continue }
            matched.insert(event.eventId)
            let w = Int((event.time.timeIntervalSince1970 / windowSeconds).rounded(.down))
            byWindow[w, default: ([], [])].scores.append(event.inspection.isAnomalous ? 1 : 0)
            byWindow[w, default: ([], [])].truth.append(truth)
        }
        let dates = ISO8601DateFormatter()
        let windows = byWindow.keys.sorted().map { w -> DriftReport.WindowQuality in
            let entry = byWindow[w] ?? ([], [])
            let confusion = ConfusionMatrix(scores: entry.scores, labels: entry.truth, threshold: 0.5)
            return .init(start: dates.string(from: Date(timeIntervalSince1970: Double(w) * windowSeconds)),
                         end: dates.string(from: Date(timeIntervalSince1970: Double(w + 1) * windowSeconds)),
                         labelled: entry.truth.count, confusion: confusion, precision: confusion.precisionIfDefined,
                         recall: confusion.recallIfDefined, f1: confusion.f1IfDefined)
        }
        return .init(baseline: baseline, windowSeconds: windowSeconds, windows: windows,
                     unmatchedLabels: labels.keys.count { !matched.contains($0) })
    }

    /// A figure with 4 significant digits.
    static func figure(_ value: Double) -> String { String(format: "%.4g", value) }
}
