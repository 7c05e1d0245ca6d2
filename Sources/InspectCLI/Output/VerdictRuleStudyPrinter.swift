import Foundation
import Inspection

/// The verdict-rule study as text: each rule's nested cross-validated F1 (false-alarm / miss
/// rates) per category on the training photos, the leave-one-category-out choices, and the
/// pooled good-only confidence curve.
enum VerdictRuleStudyPrinter {
    static func print(_ table: VerdictRuleStudyTable) {
        guard !table.categories.isEmpty else {
            Swift.print("Rule study: no run has anomalous training photos to compare verdict rules on.")
            return
        }
        func f(_ v: Double?) -> String { v.map { $0.isNaN ? "" : String(format: "%.3f", $0) } ?? "" }
        Swift.print("Verdict rules on the training photos alone (nested cross-validation over out-of-fold scores; F1 (false-alarm rate / miss rate)):")
        printAligned([["  rule"] + table.categories + ["mean F1", "worst F1"]]
                     + table.rows.map { row in
                         ["  " + row.rule] + table.categories.map { c in
                             "\(f(row.f1[c])) (\(f(row.falseAlarmRate[c]))/\(f(row.missRate[c])))"
                         } + [f(row.meanF1), f(row.worstF1)]
                     }, rightAligned: Set(1...(table.categories.count + 2)))
        if !table.leaveOneCategoryOut.isEmpty {
            Swift.print("Leave one category out (the rule with the best mean F1 on the others, applied to the one left out):")
            printAligned(table.leaveOneCategoryOut.map { ["  " + $0.category, $0.chosenRule, f($0.f1), "best any rule: " + f($0.bestF1)] })
        }
        if let c = table.goodOnlyConfidence {
            Swift.print(String(format: "Good-only confidence curve (Platt scaling, pooled, in good spreads from the %@ false-alarm threshold): slope %.4f, intercept %.4f",
                               "\(ThresholdPolicy.defaultFalseAlarmRate)", c.slope, c.intercept))
        }
    }
}
