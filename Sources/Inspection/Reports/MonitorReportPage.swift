import DriftStatistics
import Foundation
import HTMLReports

/// The HTML report of `inspect monitor`: the verdict, each statistic's shift (its PSI bins,
/// baseline against now), the scores against the training photos' with the threshold, the
/// anomaly rate, the feature drift, and the quality per window with ground truth.
public enum MonitorReportPage {
    public static func html(_ report: DriftReport, baseline: MonitoringBaseline, events: [CapturedEvent]) -> String {
        var page = HTMLPage(title: "Monitoring report: \(report.model)")
        func p(_ v: Double) -> String { String(format: "%.3g", v) }
        func f3(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "n/a" }
        page.table(header: ["", ""], rows: [
            ["model", report.model],
            ["captured requests", "\(report.requests) (\(report.firstEvent ?? "-") to \(report.lastEvent ?? "-"))"],
            ["capture files", report.captureFiles.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")],
            ["baseline", "\(baseline.photos.count) good training photos, made \(baseline.created)"],
        ])
        if !report.judged {
            page.paragraph("Fewer than \(report.constraints.minRequests) requests: the figures are shown but not judged.", className: "note")
        } else if report.violations.isEmpty {
            page.paragraph("No constraint violated.", className: "ok")
        } else {
            page.paragraph("\(report.violations.count) constraint\(report.violations.count == 1 ? "" : "s") violated; moved: "
                           + report.movedStatistics.joined(separator: ", "), className: "bad")
            page.table(header: ["check", "on", "value", "limit", "what"],
                       rows: report.violations.map { ["!" + $0.check, $0.subject, p($0.value), p($0.limit), $0.message] }, numericColumns: [2, 3])
        }

        page.heading("Statistics against the training baseline")
        let limits = report.constraints
        page.table(header: ["statistic", "baseline median", "median now", "PSI", "KS D", "KS p", "photos (baseline / now)"],
                   rows: report.statistics.map { s in
                       let moved = s.psi.index > limits.maxPSI || s.ks.pValue < limits.minKSPValue
                       return [(moved && report.judged ? "!" : "") + s.statistic.rawValue + (s.ks.oneSided ? " (KS: a rise only)" : ""), p(s.baselineMedian), p(s.currentMedian),
                               String(format: "%.3f", s.psi.index), String(format: "%.3f", s.ks.statistic), p(s.ks.pValue),
                               "\(s.baselineCount) / \(s.currentCount)"]
                   }, numericColumns: [1, 2, 3, 4, 5])
        var charts: [String] = []
        for s in report.statistics {
            let categories = s.psi.bins.map { b in b.upper.isFinite ? "≤" + p(b.upper) : ">" + p(b.lower) }
            charts.append(SVGChart.bars(title: "\(s.statistic.rawValue): PSI \(String(format: "%.3f", s.psi.index))", categories: categories,
                                        [("baseline", s.psi.bins.map(\.referenceShare), SVGChart.other),
                                         ("now", s.psi.bins.map(\.currentShare), SVGChart.anomalous)],
                                        yLabel: "share of photos"))
        }
        let captured = events.map(\.inspection.score)
        charts.append(SVGChart.histogram(title: "Scores: good training photos (out of fold) and captured",
                                         [("training good", baseline.goodScores.map(Double.init), SVGChart.good),
                                          ("captured", captured, SVGChart.anomalous)],
                                         marker: (Double(baseline.threshold), String(format: "threshold %.3f", baseline.threshold)),
                                         xLabel: "anomaly score"))
        page.figures(charts)

        page.heading("Anomaly rate")
        if let a = report.anomalyRate {
            page.table(header: ["requests", "flagged", "rate", "expected (conformal bound)", "binomial p"],
                       rows: [["\(a.requests)", "\(a.flagged)", String(format: "%.1f%%", 100 * a.observedRate),
                               String(format: "%.1f%%", 100 * a.expectedRate), p(a.pValue)]], numericColumns: [0, 1, 2, 3, 4])
        }
        page.heading("Feature drift (MMD, RBF kernel)")
        if let d = report.featureDrift {
            page.table(header: ["sketches (baseline / now)", "MMD²", "kernel width", "permutation p", "permutations"],
                       rows: [["\(d.baselineCount) / \(d.currentCount)", String(format: "%.5f", d.mmd.mmdSquared), p(d.mmd.bandwidth),
                               p(d.mmd.pValue), "\(d.mmd.permutations)"]], numericColumns: [1, 2, 3, 4])
        } else {
            page.paragraph("Not computed: fewer than 2 sketches on a side.", className: "note")
        }

        if let q = report.quality {
            page.heading("Quality against ground truth (windows of \(formatWindow(q.windowSeconds)))")
            page.paragraph("Baseline: precision \(f3(q.baseline?.precision)), recall \(f3(q.baseline?.recall)), F1 \(f3(q.baseline?.f1))"
                           + (q.baseline.map { " on \($0.measuredOn)" } ?? "") + "; \(q.unmatchedLabels) labels matched no captured request.")
            page.table(header: ["from", "to", "labelled", "precision", "recall", "F1"],
                       rows: q.windows.map { [$0.start, $0.end, "\($0.labelled)", f3($0.precision), f3($0.recall), f3($0.f1)] },
                       numericColumns: [2, 3, 4, 5])
            if !q.windows.isEmpty {
                func series(_ name: String, _ value: (DriftReport.WindowQuality) -> Double?, _ colour: String) -> SVGChart.Series {
                    .init(name: name, points: q.windows.enumerated().compactMap { i, w -> (x: Double, y: Double)? in
                        value(w).map { (x: Double(i), y: $0) }
                    }, colour: colour)
                }
                var lines = [series("F1", \.f1, SVGChart.anomalous), series("precision", \.precision, SVGChart.good),
                             series("recall", \.recall, "#16a34a")]
                if let f1 = q.baseline?.f1 {
                    lines.append(.init(name: "baseline F1", points: [(0, f1), (Double(max(1, q.windows.count - 1)), f1)], colour: SVGChart.other))
                }
                page.figures([SVGChart.lines(title: "Quality per window", lines, xLabel: "window (from the first)", yLabel: "",
                                             yRange: 0...1, markers: true)])
            }
        }
        return page.render()
    }

    static func formatWindow(_ seconds: Double) -> String {
        if seconds >= 86400, seconds.truncatingRemainder(dividingBy: 86400) == 0 { return "\(Int(seconds / 86400)) d" }
        if seconds >= 3600, seconds.truncatingRemainder(dividingBy: 3600) == 0 { return "\(Int(seconds / 3600)) h" }
        if seconds >= 60, seconds.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(seconds / 60)) min" }
        return "\(Int(seconds)) s"
    }
}
