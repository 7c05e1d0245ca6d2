import DriftStatistics
import Foundation
import Inspection

/// `inspect monitor`'s report as text.
enum MonitorReportPrinter {
    static func print(_ report: DriftReport) {
        func p(_ v: Double) -> String { String(format: "%.3g", v) }
        func f3(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "n/a" }
        let files = report.captureFiles.count
        Swift.print("Model \"\(report.model)\": \(report.requests) captured inspection requests from \(report.firstEvent ?? "-") to \(report.lastEvent ?? "-") (\(files) capture file\(files == 1 ? "" : "s"))")
        let limits = report.constraints
        printAligned([["statistic", "baseline median", "median now", "PSI", "KS D", "KS p", ""]]
                     + report.statistics.map { s in
                         let moved = s.psi.index > limits.maxPSI || s.ks.pValue < limits.minKSPValue
                         return [s.statistic.rawValue + (s.ks.oneSided ? " (KS: a rise only)" : ""), p(s.baselineMedian), p(s.currentMedian), String(format: "%.3f", s.psi.index),
                                 String(format: "%.3f", s.ks.statistic), p(s.ks.pValue), moved && report.judged ? "moved" : ""]
                     }, rightAligned: [1, 2, 3, 4, 5])
        if let a = report.anomalyRate {
            Swift.print(String(format: "Anomaly rate: %d of %d (%.1f%%), expected at most %.1f%%: one-sided binomial p = %@",
                               a.flagged, a.requests, 100 * a.observedRate, 100 * a.expectedRate, p(a.pValue)))
        }
        if let d = report.featureDrift {
            Swift.print(String(format: "Feature drift: MMD² %.5f (kernel width %@), permutation p = %@ over %d permutations (%d baseline, %d captured sketches)",
                               d.mmd.mmdSquared, p(d.mmd.bandwidth), p(d.mmd.pValue), d.mmd.permutations, d.baselineCount, d.currentCount))
        }
        if let q = report.quality {
            Swift.print("Quality against ground truth: baseline precision \(f3(q.baseline?.precision)), recall \(f3(q.baseline?.recall)), F1 \(f3(q.baseline?.f1)); \(q.unmatchedLabels) labels matched no request")
            printAligned([["  from", "to", "labelled", "precision", "recall", "F1"]]
                         + q.windows.map { ["  " + $0.start, $0.end, "\($0.labelled)", f3($0.precision), f3($0.recall), f3($0.f1)] },
                         rightAligned: [2, 3, 4, 5])
        }
        if !report.judged {
            Swift.print("Not judged: fewer than \(limits.minRequests) requests (minRequests).")
        } else if report.violations.isEmpty {
            Swift.print("No constraint violated.")
        } else {
            Swift.print("Constraints violated (\(report.violations.count)); moved: \(report.movedStatistics.joined(separator: ", "))")
            for v in report.violations { Swift.print("  \(v.message)") }
        }
    }
}
