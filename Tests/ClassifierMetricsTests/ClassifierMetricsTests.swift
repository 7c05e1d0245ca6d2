import Foundation
import Testing
import ClassifierMetrics

/// Hand-computed cases for the shared binary-classifier metrics.
struct ClassifierMetricsTests {
    @Test func aurocUsesMidRanksForTiesAndIsTheSameForFloatAndDouble() {
        // Positives 0.5, 0.9 against negatives 0.1, 0.5: pairs won 1 + 0.5 (tie) + 1 + 1 = 3.5 of 4.
        let labels = [false, false, true, true]
        #expect(RankingMetrics.auroc(scores: [0.1, 0.5, 0.5, 0.9] as [Double], labels: labels) == 0.875)
        #expect(RankingMetrics.auroc(scores: [0.1, 0.5, 0.5, 0.9] as [Float], labels: labels) == 0.875)
        #expect(RankingMetrics.auroc(scores: [0.1, 0.4, 0.35, 0.8] as [Double], labels: labels) == 0.75)
        #expect(RankingMetrics.auroc(scores: [0.3, 0.2] as [Double], labels: [true, true]) == nil)
    }

    @Test func averagePrecisionStepsAtEachDistinctScore() throws {
        // Sorted: 0.9 (+), 0.8 (-), 0.7 (+): AP = 0.5 * 1 + 0.5 * 2/3.
        let ap = try #require(RankingMetrics.averagePrecision(scores: [0.9, 0.8, 0.7] as [Double], labels: [true, false, true]))
        #expect(abs(ap - (0.5 + 1.0 / 3)) < 1e-12)
        #expect(RankingMetrics.averagePrecision(scores: [0.1] as [Double], labels: [false]) == nil)
    }

    @Test func confusionMatrixFigures() {
        let m = ConfusionMatrix(scores: [0.9, 0.8, 0.3, 0.7, 0.1] as [Double], labels: [true, false, true, true, false], threshold: 0.5)
        #expect(m == ConfusionMatrix(truePositives: 2, falsePositives: 1, trueNegatives: 1, falseNegatives: 1))
        #expect(m.precision == 2.0 / 3 && m.recall == 2.0 / 3 && m.accuracy == 3.0 / 5)
        #expect(m.f1 == 4.0 / 6 && m.falsePositiveRate == 0.5)
    }

    @Test func rocAndLogLoss() {
        let roc = RankingMetrics.roc(scores: [0.1, 0.4, 0.35, 0.8], labels: [false, false, true, true])
        #expect(roc.map(\.truePositiveRate) == [0, 0.5, 0.5, 1, 1])
        #expect(roc.map(\.falsePositiveRate) == [0, 0, 0.5, 0.5, 1])
        #expect(abs(RankingMetrics.logLoss(probabilities: [0.8, 0.4], labels: [true, false]) - (-(log(0.8) + log(0.6)) / 2)) < 1e-12)
        #expect(RankingMetrics.logLoss(probabilities: [], labels: []) == 0)
    }
}
