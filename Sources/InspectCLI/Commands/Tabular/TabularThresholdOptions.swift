import ArgumentParser
import Tabular

/// The threshold chooser: a fixed value, best F1, or a target precision or recall.
struct TabularThresholdOptions: ParsableArguments {
    @Option(help: "Score threshold (default 0.5).") var threshold: Double?
    @Flag(help: "Choose the threshold with the best F1.") var bestF1 = false
    @Option(help: "Choose the lowest threshold reaching this precision.") var targetPrecision: Double?
    @Option(help: "Choose the highest threshold reaching this recall.") var targetRecall: Double?

    func rule() throws -> ThresholdRule {
        let given = [threshold != nil, bestF1, targetPrecision != nil, targetRecall != nil].filter { $0 }.count
        guard given <= 1 else { throw ValidationError("give at most one of --threshold, --best-f1, --target-precision, --target-recall") }
        for (name, v) in [("--threshold", threshold), ("--target-precision", targetPrecision), ("--target-recall", targetRecall)] {
            if let v, !(0...1).contains(v) { throw ValidationError("\(name) \(v): must be between 0 and 1") }
        }
        if bestF1 { return .bestF1 }
        if let targetPrecision { return .precision(targetPrecision) }
        if let targetRecall { return .recall(targetRecall) }
        return .fixed(threshold ?? 0.5)
    }
}
