import DriftStatistics
import Foundation
import Imaging
import Inspection

/// The rolling drift figures of `/metrics`: per inspection model with a training baseline
/// (`baseline.json`), over its last `window` requests, the population stability index of the
/// photos' brightness and of the scores against the training photos', and the anomaly rate
/// against the rate the threshold implies, with its one-sided binomial p-value (the same
/// statistics as `inspect monitor`).
final class DriftGauges: @unchecked Sendable {
    static let window = 500

    private struct Track {
        var path: String
        var baseline: MonitoringBaseline?
        var brightness: [Double] = []
        var scores: [Double] = []
        var flagged: [Bool] = []
    }

    private let lock = NSLock()
    private var tracks: [String: Track] = [:]

    /// Adds one scored request of `model` (whose bundle is at `path`; a new path, after a
    /// reload, starts the model's window afresh with that bundle's baseline).
    func record(model: String, path: String, statistics: ImageStatistics, score: Double, isAnomalous: Bool) {
        lock.withLock {
            if tracks[model]?.path != path {
                tracks[model] = Track(path: path, baseline: try? ModelBundle.readBaseline(path))
            }
            guard var track = tracks[model] else { return }
            track.brightness.append(statistics.brightness)
            track.scores.append(score)
            track.flagged.append(isAnomalous)
            if track.scores.count > Self.window {
                track.brightness.removeFirst()
                track.scores.removeFirst()
                track.flagged.removeFirst()
            }
            tracks[model] = track
        }
    }

    /// The gauges now, for each model seen.
    func readings() -> [PrometheusMetrics.LabelledGauge] {
        let snapshot = lock.withLock { tracks }
        var out: [PrometheusMetrics.LabelledGauge] = []
        for (model, track) in snapshot.sorted(by: { $0.key < $1.key }) {
            let labels = [("model", model)]
            out.append(.init(name: "inspect_drift_window_requests", help: "Requests in the model's drift window (its last \(Self.window)).",
                             labels: labels, value: Double(track.scores.count)))
            let flagged = track.flagged.count { $0 }
            let rate = track.flagged.isEmpty ? 0 : Double(flagged) / Double(track.flagged.count)
            out.append(.init(name: "inspect_drift_anomaly_rate", help: "Share of the drift window's requests judged anomalous.",
                             labels: labels, value: rate))
            guard let baseline = track.baseline else { continue }
            out.append(.init(name: "inspect_drift_expected_anomaly_rate",
                             help: "The anomaly rate good photos are expected to stay within (the training baseline's conformal false-alarm bound).",
                             labels: labels, value: baseline.expectedAnomalyRate))
            out.append(.init(name: "inspect_drift_anomaly_rate_p_value",
                             help: "One-sided binomial p-value of the window's anomaly rate against the expected rate.",
                             labels: labels,
                             value: BinomialTest.upperTail(successes: flagged, trials: track.flagged.count, probability: baseline.expectedAnomalyRate)))
            for (statistic, values) in [(MonitoredStatistic.brightness, track.brightness), (.score, track.scores)] {
                guard let psi = PopulationStability(reference: baseline.values(statistic), current: values) else { continue }
                out.append(.init(name: "inspect_drift_psi", help: "Population stability index of the drift window against the training baseline, by statistic.",
                                 labels: labels + [("statistic", statistic.rawValue)], value: psi.index))
            }
        }
        return out
    }
}
