import Foundation
import Inspection

/// The training/evaluation report as text.
enum InspectionReportPrinter {
    static func printReport(_ report: EvaluationReport, evaluatedOn: String, thresholdMethod: String) {
        print("Evaluated on \(evaluatedOn):")
        printAligned([
            ["  precision", figure(report.precision)],
            ["  recall", figure(report.recall)],
            ["  F1", figure(report.f1)],
            ["  accuracy", figure(report.accuracy)],
            ["  image AUROC", figure(report.auroc)],
            ["  average precision", figure(report.averagePrecision)],
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
        printAligned([["  model", "AUROC", "F1", "precision", "recall"]]
                     + rows.map { ["  " + $0.model, figure($0.report.auroc), figure($0.report.f1), figure($0.report.precision), figure($0.report.recall)] },
                     rightAligned: [1, 2, 3, 4])
    }

    /// The saved model's threshold on the training photos' out-of-fold scores: the decisions,
    /// the expected false-alarm and miss rates, the margins to the nearest scores, and the
    /// confidence's reliability.
    static func printThresholdReport(_ r: ThresholdReport) {
        let o = r.outOfFold, c = o.confusion
        print("At the saved model's threshold, on the \(o.goodCount + o.anomalousCount) training images scored out of fold:")
        var rows = [["  false alarms", "\(c.falsePositives) of \(o.goodCount) good (\(percent(r.falseAlarmRate)));"
                     + " expected on new good photos: at most \(percent(r.falseAlarmBound)) (conformal bound)"]]
        if let miss = r.missRate {
            rows.append(["  misses", "\(c.falseNegatives) of \(o.anomalousCount) anomalous (\(percent(miss))): the expected miss rate;"
                         + " precision \(figure(o.precision)), recall \(figure(o.recall)), F1 \(figure(o.f1))"])
        } else {
            rows.append(["  misses", "unknown: no anomalous training images"])
        }
        func margin(_ value: Float?, _ what: String) -> String {
            guard let value else { return "no \(what) score on that side" }
            return String(format: "%.4f (%.3f good spreads)", value, value / r.goodSpread)
        }
        rows.append(["  margin to the highest good score below it", margin(r.marginToGood, "good")])
        rows.append(["  margin to the lowest anomalous score above it", margin(r.marginToAnomalous, "anomalous")])
        printAligned(rows)
        guard let error = r.calibrationError else {
            print("Confidence: no anomalous training images to check it on; the curve is the one fitted on the development products' training photos")
            return
        }
        print(String(format: "Confidence (the probability that a verdict is right, Platt scaling): expected calibration error %.3f out of fold; reliability:", error))
        printAligned([["  confidence", "verdicts", "mean confidence", "right"]]
                     + r.reliability.map { bin in
                         [String(format: "  %.1f-%.1f", bin.lower, bin.upper), "\(bin.count)", String(format: "%.3f", bin.meanConfidence),
                          String(format: "%.3f", bin.accuracy)]
                     }, rightAligned: [1, 2, 3])
    }

    /// The fused model and its parts, each fitted on some folds of the training images'
    /// out-of-fold scores and judged on the others (what the saved scoring was chosen on).
    static func printCrossValidated(_ outcomes: [CrossValidatedOutcome]) {
        print("Nested cross-validation on the training images (threshold and fusion chosen without the photos they decide):")
        printAligned([["  model", "F1", "false-alarm rate", "miss rate"]]
                     + outcomes.map { ["  " + $0.rule, figure($0.f1), figure($0.falseAlarmRate), figure($0.missRate)] },
                     rightAligned: [1, 2, 3])
    }

    /// A figure to three decimals, or "n/a" where it is undefined (e.g. precision with nothing flagged).
    /// The segmentation's figures: per defect type IoU and F1 at the pixel threshold, mean IoU,
    /// pixel AUROC and PRO, and the memory-only binary mask's IoU beside them.
    static func printSegmentationReport(_ r: SegmentationReport, title: String) {
        print(title)
        print("  " + padded("type", 18) + padded("IoU", 7) + padded("F1", 7) + padded("precision", 11) + padded("recall", 8) + "true pixels")
        for label in r.labels {
            print("  " + padded(label.name, 18) + padded(figure(label.iou), 7) + padded(figure(label.f1), 7)
                  + padded(figure(label.precision), 11) + padded(figure(label.recall), 8) + String(label.pixels))
        }
        print("  mean IoU \(figure(r.meanIoU)) (memory-only mask: \(figure(r.memoryOnlyIoU))); pixel AUROC \(figure(r.pixelAUROC)); PRO \(figure(r.perRegionOverlap))")
    }

    static func printSegmentation(_ s: ModelCard.Segmentation) {
        print("Segmentation: \(s.labels.labels.map { "\($0.name) \($0.color)" }.joined(separator: ", ")); head on \(s.samples) stride-4 cell samples "
              + "of \(s.maskedPhotos) masked photos' views; \(s.chosenOn)")
        printSegmentationReport(s.outOfFold, title: "Segmentation, out of fold on the training photos (\(s.outOfFold.measuredOn)):")
    }

    static func figure(_ value: Double?) -> String { value.map { String(format: "%.3f", $0) } ?? "n/a" }

    static func percent(_ share: Double) -> String { String(format: "%.1f%%", share * 100) }

    static func printPhases(_ phases: [(phase: String, seconds: Double)]) {
        print("Time per phase: " + phases.map { "\($0.phase) \(formatDuration($0.seconds))" }.joined(separator: ", "))
    }
}

