import Foundation
import SeededRandom
import Testing
@testable import Inspection

/// The verdict rules on generated scores: the conformal false-alarm bound, the fused model
/// never saved when a part decides better, Platt calibration on a known distribution, the
/// threshold report's margins, and invariance to the order of the photos.
@Suite struct VerdictRuleTests {
    static func normal(_ count: Int, mean: Float, sd: Float, _ rng: inout SeededGenerator) -> [Float] {
        (0..<count).map { _ in mean + sd * rng.nextGaussian() }
    }

    @Test func conformalThresholdPromisesItsFalseAlarmRate() {
        // 99 good scores, rate 0.05: k = ceil(100 x 0.95) = 95, so the threshold lies between the
        // 95th and 96th scores and flags 4 of them; the bound is (4 + 1) / 100.
        var rng = SeededGenerator(seed: 7)
        let goods = Self.normal(99, mean: 0, sd: 1, &rng)
        let choice = ThresholdSelector.falseAlarmTarget(goods, rate: 0.05)
        let sorted = goods.sorted()
        #expect(choice.targetMet)
        #expect(choice.threshold > sorted[94] && choice.threshold < sorted[95])
        #expect(goods.count { $0 >= choice.threshold } == 4)
        // Over many calibration sets, new good photos from the same distribution are flagged at
        // most at the promised rate on average (the guarantee is marginal).
        var flagged = 0, total = 0
        for _ in 0..<400 {
            let t = ThresholdSelector.falseAlarmTarget(Self.normal(39, mean: 0, sd: 1, &rng), rate: 0.1).threshold
            let fresh = Self.normal(50, mean: 0, sd: 1, &rng)
            flagged += fresh.count { $0 >= t }
            total += fresh.count
        }
        let rate = Double(flagged) / Double(total)
        #expect(rate <= 0.1 + 0.01, "false-alarm rate \(rate) above the promised 0.1")
        #expect(rate >= 0.07, "false-alarm rate \(rate): the threshold is far more cautious than promised")
    }

    @Test func conformalTargetTooStrictForFewPhotosSaysSo() {
        let choice = ThresholdSelector.falseAlarmTarget([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], rate: 0.05)
        #expect(!choice.targetMet)
        #expect(choice.threshold > 10)
        #expect(choice.method.contains("not reachable"))
        // Good-only training uses the default rate through the ordinary selector.
        let goodOnly = ThresholdSelector.choose(scores: Array(1...40).map(Float.init), labels: Array(repeating: false, count: 40), policy: .bestF1)
        #expect(goodOnly.threshold == ThresholdSelector.falseAlarmTarget(Array(1...40).map(Float.init), rate: ThresholdPolicy.defaultFalseAlarmRate).threshold)
        #expect(ThresholdSelector.conformalBound(flagged: 0, of: 40) == 1.0 / 41)
    }

    @Test func maxFalseAlarmRatePolicyIgnoresAnomalousScores() {
        var rng = SeededGenerator(seed: 3)
        let goods = Self.normal(59, mean: 0, sd: 1, &rng), bads = Self.normal(20, mean: 2, sd: 1, &rng)
        let withBads = ThresholdSelector.choose(scores: goods + bads, labels: goods.map { _ in false } + bads.map { _ in true },
                                                policy: .maxFalseAlarmRate(0.1))
        #expect(withBads.threshold == ThresholdSelector.falseAlarmTarget(goods, rate: 0.1).threshold)
    }

    /// Out-of-fold scores where one part separates the classes and the other is noise.
    static func scores(seed: UInt64, memorySeparates: Bool) -> OutOfFoldScores {
        var rng = SeededGenerator(seed: seed)
        let labels = Array(repeating: false, count: 20) + Array(repeating: true, count: 10)
        let informative = labels.map { $0 ? 4 + rng.nextGaussian() : rng.nextGaussian() }
        let noise = labels.map { _ in rng.nextGaussian() }
        return OutOfFoldScores(labels: labels, memory: memorySeparates ? informative : noise, head: memorySeparates ? noise : informative)
    }

    @Test func fusedModelIsNeverSavedWhenAPartDecidesBetter() throws {
        for seed in UInt64(1)...6 {
            for memorySeparates in [true, false] {
                let s = Self.scores(seed: seed, memorySeparates: memorySeparates)
                let decision = ScoringDecision.choose(s, policy: .bestF1)
                #expect(decision.outcomes.count == 3)
                let fused = decision.outcomes[0], better = max(decision.outcomes[1].f1, decision.outcomes[2].f1)
                if fused.f1 < better - 1e-9 {
                    #expect(decision.part != .fused, "seed \(seed): fused F1 \(fused.f1) < \(better) but the fused model was kept")
                    #expect(decision.note != nil)
                }
                // The head alone is saved only when it is the informative part; when the memory
                // is, it is what the model decides with (alone or with a little head weight).
                if decision.part == .head { #expect(!memorySeparates) }
                if memorySeparates { #expect(decision.part != .head) }
            }
        }
        // A noise head gets no say: memory alone, and the threshold separates the training scores.
        let s = Self.scores(seed: 11, memorySeparates: true)
        let decision = ScoringDecision.choose(s, policy: .bestF1)
        #expect(decision.part == .memory)
        #expect(decision.choice.method.contains("memory alone"))
    }

    @Test func plattScalingIsCalibratedOnAKnownDistribution() {
        // Good ~ N(0, 1), anomalous ~ N(3, 1), equally many: the true log-odds of being
        // anomalous is 3 s - 4.5, so the fitted slope and intercept (z = s, threshold 0,
        // spread 1) are near 3 and -4.5, and fresh scores' confidences are calibrated.
        var rng = SeededGenerator(seed: 5)
        let n = 2000
        let fit = ConfidenceCalibration.fit(scores: Self.normal(n, mean: 0, sd: 1, &rng) + Self.normal(n, mean: 3, sd: 1, &rng),
                                            labels: Array(repeating: false, count: n) + Array(repeating: true, count: n),
                                            threshold: 0, spread: 1)
        #expect(abs(fit.slope - 3) < 0.3, "slope \(fit.slope)")
        #expect(abs(fit.intercept + 4.5) < 0.45, "intercept \(fit.intercept)")
        let goods = Self.normal(n, mean: 0, sd: 1, &rng), bads = Self.normal(n, mean: 3, sd: 1, &rng)
        let threshold: Float = 1.5
        let confidences = (goods + bads).map { fit.confidence($0, decisionThreshold: threshold) }
        let right = goods.map { $0 < threshold } + bads.map { $0 >= threshold }
        let ece = CalibrationMetrics.expectedCalibrationError(CalibrationMetrics.reliability(confidences: confidences, correct: right))
        #expect(ece < 0.03, "ECE \(ece)")
        // The old tanh confidence on the same scores is far from calibrated.
        let spread: Float = 1.645
        let tanhConfidences = (goods + bads).map { 0.5 + 0.5 * Double(tanh(abs($0 - threshold) / spread)) }
        let tanhECE = CalibrationMetrics.expectedCalibrationError(CalibrationMetrics.reliability(confidences: tanhConfidences, correct: right))
        #expect(tanhECE > ece)
    }

    @Test func thresholdReportMarginsAndRates() throws {
        let scores: [Float] = [0.1, 0.2, 0.3, 0.45, 0.6, 0.7, 0.9, 1.2]
        let labels = [false, false, false, false, true, false, true, true]
        let r = ThresholdReport(scores: scores, labels: labels, threshold: 0.5, spread: 0.25)
        #expect(abs(try #require(r.marginToGood) - 0.05) < 1e-6)
        #expect(abs(try #require(r.marginToAnomalous) - 0.1) < 1e-6)
        #expect(abs(r.falseAlarmRate - 0.2) < 1e-12)  // 0.7 of 5 good
        #expect(abs(r.falseAlarmBound - 2.0 / 6) < 1e-12)
        #expect(r.missRate == 0)
        #expect(r.outOfFold.confusion.falsePositives == 1 && r.outOfFold.confusion.truePositives == 3)
        // Good photos only: no anomalous margin, no miss rate, no reliability.
        let goodOnly = ThresholdReport(scores: [1, 2, 3], labels: [false, false, false], threshold: 2.5, spread: 1)
        #expect(goodOnly.marginToAnomalous == nil && goodOnly.missRate == nil && goodOnly.calibrationError == nil)
    }

    @Test func rulesDoNotDependOnThePhotosOrder() {
        let s = Self.scores(seed: 2, memorySeparates: true)
        var rng = SeededGenerator(seed: 99)
        let order = Array(s.labels.indices).shuffled(using: &rng)
        let shuffled = s.subset(order)
        let a = ScoringDecision.choose(s, policy: .bestF1), b = ScoringDecision.choose(shuffled, policy: .bestF1)
        #expect(a.part == b.part)
        #expect(a.choice.threshold == b.choice.threshold)
        #expect(a.outcomes == b.outcomes)
        let ra = ThresholdReport(scores: s.model, labels: s.labels, threshold: a.choice.threshold, spread: 1)
        let rb = ThresholdReport(scores: shuffled.model, labels: shuffled.labels, threshold: b.choice.threshold, spread: 1)
        #expect(ra == rb)
        let ca = ConfidenceCalibration.fit(scores: s.memory, labels: s.labels, threshold: 1, spread: 1)
        let cb = ConfidenceCalibration.fit(scores: shuffled.memory, labels: shuffled.labels, threshold: 1, spread: 1)
        #expect(abs(ca.slope - cb.slope) < 1e-9 && abs(ca.intercept - cb.intercept) < 1e-9)
        #expect(ThresholdSelector.falseAlarmTarget(s.memory, rate: 0.1) == ThresholdSelector.falseAlarmTarget(shuffled.memory, rate: 0.1))
    }
}
