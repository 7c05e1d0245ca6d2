import Foundation
import Inspection

/// The training/evaluation report as text.
enum InspectionReportPrinter {
    static func printReport(_ report: EvaluationReport, evaluatedOn: String, thresholdMethod: String) {
        print("Evaluated on \(evaluatedOn):")
        func f(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "n/a" }
        printAligned([
            ["  precision", f(report.precision)],
            ["  recall", f(report.recall)],
            ["  F1", f(report.f1)],
            ["  accuracy", f(report.accuracy)],
            ["  image AUROC", f(report.auroc)],
            ["  average precision", f(report.averagePrecision)],
        ], rightAligned: [1])
        let c = report.confusion
        print("Confusion matrix (rows: truth, columns: prediction):")
        printAligned([
            ["", "anomalous", "normal"],
            ["  anomalous", "TP \(c.truePositives)", "FN \(c.falseNegatives)"],
            ["  normal", "FP \(c.falsePositives)", "TN \(c.trueNegatives)"],
        ], rightAligned: [1, 2])
        print("Threshold \(String(format: "%.4f", report.threshold)): \(thresholdMethod)")
    }

    /// Memory alone, head alone and fused, each at its own threshold, on the evaluation set.
    static func printAblation(_ rows: [(model: String, report: EvaluationReport)], title: String) {
        print(title)
        func f(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "n/a" }
        printAligned([["  model", "AUROC", "F1", "precision", "recall"]]
                     + rows.map { ["  " + $0.model, f($0.report.auroc), f($0.report.f1), f($0.report.precision), f($0.report.recall)] },
                     rightAligned: [1, 2, 3, 4])
    }

    static func printPhases(_ phases: [(phase: String, seconds: Double)]) {
        print("Time per phase: " + phases.map { "\($0.phase) \(formatDuration($0.seconds))" }.joined(separator: ", "))
    }
}
