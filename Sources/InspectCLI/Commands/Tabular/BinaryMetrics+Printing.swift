import Foundation
import Tabular

extension BinaryMetrics {
    /// The metrics and the confusion matrix under a title; `positive` names label 1.
    func printReport(title: String, positive: String) {
        print(title)
        print("  AUC \(formatDecimal(auc))  accuracy \(formatDecimal(accuracy))  precision \(formatDecimal(precision))  recall \(formatDecimal(recall))  F1 \(formatDecimal(f1))")
        let c = confusion
        print("  confusion (rows: actual, columns: predicted)")
        print("                predicted 0  predicted 1")
        print("    actual 0  " + String(format: "%11d  %11d", c.trueNegatives, c.falsePositives))
        print("    actual 1  " + String(format: "%11d  %11d", c.falseNegatives, c.truePositives) + "   (1 = '\(positive)')")
    }
}
