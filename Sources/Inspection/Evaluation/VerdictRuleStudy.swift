import Foundation

/// The verdict rules compared on training photos alone (never test photos): each rule's
/// nested cross-validated figures (`NestedCrossValidation`) on the out-of-fold scores of the
/// benchmark runs' training photos. What the defaults of the threshold, the fusion and the
/// good-only false-alarm rate were chosen on (docs/EVALUATION.md).
public enum VerdictRuleStudy {
    /// The good-only false-alarm rates compared.
    public static let falseAlarmRates = [0.01, 0.02, 0.05, 0.1, 0.2]

    /// The candidate rules: the trainer's (the fused-or-part decision, and each part alone),
    /// the fused score without the unseen-type copies, two-Gaussian thresholds, and the
    /// memory at each false-alarm target (the good-only rule, which sees no anomalous photo).
    public static let candidates: [VerdictRule] = {
        let bestF1 = ThresholdPolicy.bestF1
        var rules = [
            VerdictRule(name: "trainer: fused unless a part is better, with unseen-type copies") { s in
                let d = ScoringDecision.choose(s, policy: bestF1, unseenTypes: true)
                return FittedVerdictRule(part: d.part, fusion: d.fusion, threshold: d.choice)
            },
            VerdictRule(name: "trainer: fused unless a part is better, without unseen-type copies") { s in
                let d = ScoringDecision.choose(s, policy: bestF1, unseenTypes: false)
                return FittedVerdictRule(part: d.part, fusion: d.fusion, threshold: d.choice)
            },
            VerdictRule.trainer(.fused, policy: bestF1, unseenTypeCopies: true).renamed("fused, best F1 with unseen-type copies"),
            VerdictRule.trainer(.fused, policy: bestF1, unseenTypeCopies: false).renamed("fused, best F1 without unseen-type copies"),
            VerdictRule.trainer(.memory, policy: bestF1).renamed("memory alone, best F1"),
            VerdictRule.trainer(.head, policy: bestF1).renamed("head alone, best F1"),
            VerdictRule(name: "memory alone, two Gaussians") { s in
                let t = ThresholdSelector.gaussianExpectedF1(scores: s.memory, labels: s.labels)
                return FittedVerdictRule(part: .memory, fusion: nil, threshold: ThresholdChoice(threshold: t, method: "", targetMet: true))
            },
        ]
        for rate in falseAlarmRates {
            rules.append(VerdictRule.trainer(.memory, policy: .maxFalseAlarmRate(rate))
                .renamed("memory alone, false alarms <= \(formatShare(rate))"))
        }
        return rules
    }()

    /// One run's training photos under every rule.
    public static func outcomes(_ scores: OutOfFoldScores, rules: [VerdictRule] = candidates) -> [CrossValidatedOutcome] {
        rules.compactMap { NestedCrossValidation.evaluate(scores, rule: $0) }
    }

    /// The good-only confidence curve: Platt scaling on the pooled memory out-of-fold scores of
    /// runs with anomalous training photos, each in its own good spreads from the threshold the
    /// default false-alarm rate gives on its good scores (the good-only model's threshold).
    public static func goodOnlyConfidence(_ runs: [OutOfFoldScores]) -> ConfidenceCalibration? {
        var z: [Float] = [], labels: [Bool] = []
        for s in runs where s.anomalousCount > 0 {
            let goods = zip(s.memory, s.labels).filter { !$0.1 }.map(\.0)
            let threshold = ThresholdSelector.falseAlarmTarget(goods, rate: ThresholdPolicy.defaultFalseAlarmRate).threshold
            let spread = ScoreCalibration(goodScores: goods).goodSpread
            z += s.memory.map { ($0 - threshold) / spread }
            labels += s.labels
        }
        guard labels.contains(true) else { return nil }
        return ConfidenceCalibration.fit(scores: z, labels: labels, threshold: 0, spread: 1)
    }
}

extension VerdictRule {
    func renamed(_ name: String) -> VerdictRule { VerdictRule(name: name, fit: fit) }
}

/// The study over benchmark runs: each rule's nested cross-validated F1 per category (mean over
/// the runs of that category with anomalous training photos), mean and worst over categories,
/// and leave-one-category-out choices: the rule best on the other categories, and how it does
/// on the one left out.
public struct VerdictRuleStudyTable: Sendable, Codable, Equatable {
    public struct Row: Sendable, Codable, Equatable {
        public var rule: String
        /// Category -> mean nested F1 (false-alarm rate, miss rate) over its runs.
        public var f1: [String: Double]
        public var falseAlarmRate: [String: Double]
        public var missRate: [String: Double]
        public var meanF1: Double
        public var worstF1: Double
    }
    public struct LeftOut: Sendable, Codable, Equatable {
        public var category: String
        public var chosenRule: String
        public var f1: Double
        /// The best any rule reaches on the category left out (chosen on it: an upper bound).
        public var bestF1: Double
    }
    public var categories: [String]
    public var rows: [Row]
    public var leaveOneCategoryOut: [LeftOut]
    public var goodOnlyConfidence: ConfidenceCalibration?

    public init(runs: [BenchmarkRun], rules: [VerdictRule] = VerdictRuleStudy.candidates) {
        let usable = runs.filter { ($0.trainingOutOfFold?.anomalousCount ?? 0) >= 2 }
        let categories = Array(Set(usable.map(\.category))).sorted()
        let outcomes = usable.compactMap { run in run.trainingOutOfFold.map { (run.category, VerdictRuleStudy.outcomes($0, rules: rules)) } }
        let mean = Self.mean
        let rows = rules.map { rule in
            var f1: [String: Double] = [:], alarms: [String: Double] = [:], misses: [String: Double] = [:]
            for category in categories {
                let mine = outcomes.filter { $0.0 == category }.compactMap { $0.1.first { $0.rule == rule.name } }
                f1[category] = mean(mine.map(\.f1))
                alarms[category] = mean(mine.map(\.falseAlarmRate))
                misses[category] = mean(mine.map(\.missRate))
            }
            let values = categories.compactMap { f1[$0] }
            return Row(rule: rule.name, f1: f1, falseAlarmRate: alarms, missRate: misses, meanF1: mean(values),
                       worstF1: values.min() ?? .nan)
        }
        self.categories = categories
        self.rows = rows
        leaveOneCategoryOut = categories.count < 2 ? [] : categories.map { left in
            let others = categories.filter { $0 != left }
            let chosen = rows.max { a, b in mean(others.compactMap { a.f1[$0] }) < mean(others.compactMap { b.f1[$0] }) }
            return LeftOut(category: left, chosenRule: chosen?.rule ?? "", f1: chosen?.f1[left] ?? .nan,
                           bestF1: rows.compactMap { $0.f1[left] }.max() ?? .nan)
        }
        goodOnlyConfidence = VerdictRuleStudy.goodOnlyConfidence(usable.compactMap(\.trainingOutOfFold))
    }

    static func mean(_ values: [Double]) -> Double { values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count) }
}
