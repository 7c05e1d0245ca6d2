import Testing
@testable import Inspection

@Suite struct MetricsTests {
    @Test func confusionMatrixCountsAndRatios() {
        let m = ConfusionMatrix(scores: [0.9, 0.8, 0.3, 0.7, 0.1], labels: [true, false, true, true, false], threshold: 0.5)
        #expect(m.truePositives == 2 && m.falsePositives == 1 && m.falseNegatives == 1 && m.trueNegatives == 1)
        #expect(abs(m.precision - 2.0 / 3) < 1e-12)
        #expect(abs(m.recall - 2.0 / 3) < 1e-12)
        #expect(abs(m.f1 - 2.0 / 3) < 1e-12)
        #expect(abs(m.accuracy - 0.6) < 1e-12)
    }

    @Test func goodOnlyReportLeavesUndefinedFiguresEmpty() {
        // Good images only, none flagged: TP + FP = 0 and TP + FN = 0.
        let quiet = EvaluationReport(scores: [0.1, 0.2, 0.3], labels: [false, false, false], threshold: 0.5)
        #expect(quiet.precision == nil && quiet.recall == nil && quiet.f1 == nil)
        #expect(quiet.accuracy == 1)
        // One false alarm: precision and F1 are 0, recall still has no anomalous image to count.
        let alarm = EvaluationReport(scores: [0.1, 0.6, 0.3], labels: [false, false, false], threshold: 0.5)
        #expect(alarm.precision == 0 && alarm.f1 == 0 && alarm.recall == nil)
        // Anomalies present, none flagged: precision undefined, recall and F1 are 0.
        let missed = EvaluationReport(scores: [0.1, 0.2], labels: [false, true], threshold: 0.5)
        #expect(missed.precision == nil && missed.recall == 0 && missed.f1 == 0)
    }

    @Test func aurocCountsPairsWithTiesAsHalf() throws {
        // Positives 0.8, 0.4; negatives 0.4, 0.1: pairs won (0.8>0.4, 0.8>0.1, 0.4>0.1) + tie 0.5 = 3.5 / 4.
        let auc = try #require(RankingMetrics.auroc(scores: [0.8, 0.4, 0.4, 0.1], labels: [true, true, false, false]))
        #expect(abs(auc - 0.875) < 1e-12)
        #expect(RankingMetrics.auroc(scores: [1, 2], labels: [false, false]) == nil)
    }

    @Test func averagePrecisionByHand() throws {
        // Ranked: + (P=1), - , + (P=2/3): AP = 0.5 * 1 + 0.5 * 2/3.
        let ap = try #require(RankingMetrics.averagePrecision(scores: [0.9, 0.8, 0.7, 0.1], labels: [true, false, true, false]))
        #expect(abs(ap - (0.5 + 1.0 / 3)) < 1e-12)
    }

    @Test func pixelAurocMatchesImageAurocOnSmallSets() throws {
        let maps: [[Float]] = [[0.1, 0.9, 0.4], [0.2, 0.8]]
        let masks: [[Bool]] = [[false, true, false], [false, true]]
        let pixel = try #require(PixelMetrics.auroc(maps: maps, masks: masks))
        let exact = try #require(RankingMetrics.auroc(scores: maps.flatMap { $0 }, labels: masks.flatMap { $0 }))
        #expect(abs(pixel - exact) < 1e-9)
    }

    @Test func connectedRegionsAreEightConnected() {
        // 4 wide: a diagonal pair (one region), a lone pixel at the far corner (another).
        let mask = [true, false, false, false,
                    false, true, false, false,
                    false, false, false, true]
        let (labels, sizes) = PixelMetrics.connectedRegions(mask, width: 4)
        #expect(sizes == [2, 1])
        #expect(labels == [0, -1, -1, -1, -1, 0, -1, -1, -1, -1, -1, 1])
    }

    @Test func perRegionOverlapByHand() throws {
        // 6 wide, 2 rows: a 1-pixel region (found: score 1) and a 3-pixel region scored like
        // the background (0). At the top threshold FPR 0 and PRO 1/2 (regions count equally,
        // whatever their size); at the lowest FPR 1 and PRO 1. The curve interpolated at
        // FPR 0.3 is 0.65, so the area is 0.3 * (0.5 + 0.65) / 2 and the normalised PRO 0.575.
        let mask = [true, false, false, true, true, true,
                    false, false, false, false, false, false]
        let map: [Float] = [1, 0, 0, 0, 0, 0,
                            0, 0, 0, 0, 0, 0]
        let pro = try #require(PixelMetrics.perRegionOverlap(maps: [map], masks: [mask], width: 6))
        #expect(abs(pro - 0.575) < 1e-9)
        // A map that is exactly the mask finds every region before any false positive.
        let perfect = try #require(PixelMetrics.perRegionOverlap(maps: [mask.map { $0 ? 1 : 0 }], masks: [mask], width: 6))
        #expect(abs(perfect - 1) < 1e-9)
        // No region or no background: undefined.
        #expect(PixelMetrics.perRegionOverlap(maps: [map], masks: [[Bool](repeating: false, count: 12)], width: 6) == nil)
    }

    @Test func perRegionOverlapOfNoiseIsHalfTheLimit() throws {
        // Scores independent of the mask: each region's overlap tracks the FPR, so the
        // normalised area up to FPR 0.3 is about 0.15. 200 x 200 pixels with 100 square regions.
        var state: UInt64 = 12345
        let width = 200
        var map = [Float](repeating: 0, count: width * width), mask = [Bool](repeating: false, count: width * width)
        for i in map.indices {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            map[i] = Float(state >> 40) / Float(1 << 24)
        }
        for y in 0..<width where y % 20 < 6 { for x in 0..<width where x % 20 < 6 { mask[y * width + x] = true } }
        let pro = try #require(PixelMetrics.perRegionOverlap(maps: [map], masks: [mask], width: width))
        #expect(abs(pro - 0.15) < 0.01)
    }

    @Test func thresholdPolicies() {
        let scores: [Float] = [1, 2, 3, 4, 5, 6, 7, 8]
        let labels = [false, false, false, true, false, true, true, true]
        let best = ThresholdSelector.choose(scores: scores, labels: labels, policy: .bestF1)
        #expect(best.threshold > 3 && best.threshold < 4)  // 4/4 recall, 4/5 precision: F1 0.889
        let precise = ThresholdSelector.choose(scores: scores, labels: labels, policy: .targetPrecision(1.0))
        #expect(precise.threshold > 5 && precise.threshold < 6)
        let recall = ThresholdSelector.choose(scores: scores, labels: labels, policy: .targetRecall(0.75))
        #expect(recall.threshold > 5 && recall.threshold < 6)
        let goodOnly = ThresholdSelector.choose(scores: [1, 2, 3, 4, 5], labels: [false, false, false, false, false], policy: .bestF1)
        #expect(goodOnly.threshold > 5)  // above every held-back good score: 5 cannot promise the default 0.05 false-alarm rate
    }

    /// Perfectly separated scores: every threshold in (max good, min anomalous] gives F1 1.
    /// The good scores spread 1 (IQR), the anomalous 3, so the threshold sits a quarter of the
    /// way into the gap (10 + 8 x 1/4), not at its midpoint (14).
    @Test func bestF1SplitsASeparatingGapByTheClassesSpreads() {
        let goods: [Float] = [8, 8.5, 9, 9.5, 10], anomalous: [Float] = [18, 19.5, 21, 22.5, 24]
        let labels = goods.map { _ in false } + anomalous.map { _ in true }
        let choice = ThresholdSelector.choose(scores: goods + anomalous, labels: labels, policy: .bestF1)
        #expect(abs(choice.threshold - 12) < 1e-4)
        // Equal spreads: the midpoint.
        let even = ThresholdSelector.choose(scores: goods + goods.map { $0 + 10 }, labels: labels, policy: .bestF1)
        #expect(abs(even.threshold - 14) < 1e-4)
    }

    @Test func holdOutIsStratifiedAndSeeded() {
        let labels = (0..<50).map { $0 >= 40 }
        let a = Splits.holdOut(labels: labels, fraction: 0.2, seed: 3)
        let b = Splits.holdOut(labels: labels, fraction: 0.2, seed: 3)
        #expect(a.heldOut == b.heldOut)
        #expect(a.heldOut.count { labels[$0] } == 2 && a.heldOut.count { !labels[$0] } == 8)
        #expect(Set(a.train).isDisjoint(with: a.heldOut) && a.train.count + a.heldOut.count == 50)
        let c = Splits.holdOut(labels: labels, fraction: 0.2, seed: 4)
        #expect(c.heldOut != a.heldOut)
    }

}
