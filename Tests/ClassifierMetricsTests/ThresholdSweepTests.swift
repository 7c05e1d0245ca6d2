import Testing
import ClassifierMetrics

/// The shared threshold sweep: where its candidates sit and the counts at each.
struct ThresholdSweepTests {
    @Test func candidatesSitBetweenDistinctScoresAndBeyondTheEnds() {
        // Distinct scores 1, 2, 4 (2 twice): below 1, 1.5, 3, above 4.
        let sweep = ThresholdSweep.candidates(scores: [2, 4, 1, 2] as [Double], labels: [true, true, false, false])
        #expect(sweep.map(\.threshold) == [1 - 1e-3, 1.5, 3, 4 + 4e-3])
        #expect(sweep.map(\.scoreBelow) == [nil, 1, 2, 4])
        #expect(sweep.map(\.scoreAbove) == [1, 2, 4, nil])
        #expect(sweep.map(\.confusion) == [
            ConfusionMatrix(truePositives: 2, falsePositives: 2, trueNegatives: 0, falseNegatives: 0),
            ConfusionMatrix(truePositives: 2, falsePositives: 1, trueNegatives: 1, falseNegatives: 0),
            ConfusionMatrix(truePositives: 1, falsePositives: 0, trueNegatives: 2, falseNegatives: 1),
            ConfusionMatrix(truePositives: 0, falsePositives: 0, trueNegatives: 2, falseNegatives: 2),
        ])
        // Scores near zero move the ends by the 1e-6 floor.
        #expect(ThresholdSweep.candidates(scores: [0] as [Float], labels: [true]).map(\.threshold) == [-1e-6, 1e-6])
        #expect(ThresholdSweep.candidates(scores: [] as [Double], labels: []).isEmpty)
    }

    /// Generated scores with many ties: the one-pass counts equal a ConfusionMatrix computed
    /// from scratch at every candidate, for Float and Double scores.
    @Test func countsMatchTheConfusionMatrixAtEachCandidate() {
        var state: UInt64 = 12345
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33)
        }
        let scores = (0..<500).map { _ in Double(next() % 60) / 7 - 3 }
        let labels = scores.map { $0 + Double(next() % 100) / 25 > 0.5 }
        let double = ThresholdSweep.candidates(scores: scores, labels: labels)
        let float = ThresholdSweep.candidates(scores: scores.map { Float($0) }, labels: labels)
        #expect(double.count == Set(scores).count + 1 && float.count == double.count)
        var mismatches = 0, maxCountDifference = 0
        for c in double {
            let direct = ConfusionMatrix(scores: scores, labels: labels, threshold: c.threshold)
            if direct != c.confusion { mismatches += 1 }
            maxCountDifference = max(maxCountDifference, abs(direct.truePositives - c.confusion.truePositives),
                                     abs(direct.falsePositives - c.confusion.falsePositives))
        }
        for c in float where ConfusionMatrix(scores: scores.map { Float($0) }, labels: labels, threshold: c.threshold) != c.confusion {
            mismatches += 1
        }
        print("sweep of \(scores.count) scores, \(double.count) candidates: \(mismatches) mismatches, max count difference \(maxCountDifference)")
        #expect(mismatches == 0)
        #expect(zip(double, double.dropFirst()).allSatisfy { $0.threshold < $1.threshold })
        #expect(double.first?.confusion.predictedPositives == scores.count && double.last?.confusion.predictedPositives == 0)
    }
}
