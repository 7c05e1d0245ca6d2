import Foundation
import Testing
@testable import Tabular
import SeededRandom
import TestSupport

@Suite struct ModelMathTests {
    @Test func logisticGradientMatchesFiniteDifferences() {
        var rng = SeededGenerator(seed: 3)
        let n = 40, d = 5
        let rows = (0..<n).map { _ in (0..<d).map { _ in Double.random(in: -2...2, using: &rng) } }
        let x = FeatureMatrix(rows: rows)
        let y = (0..<n).map { _ in Int.random(in: 0...1, using: &rng) }
        let theta = (0...d).map { _ in Double.random(in: -1...1, using: &rng) }
        var g = [Double](repeating: 0, count: d + 1), scratch = g
        _ = LogisticModel.loss(theta, x, y, lambda: 0.3, gradient: &g)
        let numeric = numericGradient(theta) { LogisticModel.loss($0, x, y, lambda: 0.3, gradient: &scratch) }
        expectClose(g, numeric, absolute: 1e-6, "logistic loss gradient")
    }

    @Test func lbfgsFindsRosenbrockMinimum() {
        // f = (1 - a)^2 + 100 (b - a^2)^2, minimum at (1, 1).
        let r = LBFGS(maxIterations: 1000, gradientTolerance: 1e-9).minimize([-1.2, 1]) { p, g in
            let a = p[0], b = p[1]
            g[0] = -2 * (1 - a) - 400 * a * (b - a * a)
            g[1] = 200 * (b - a * a)
            return (1 - a) * (1 - a) + 100 * (b - a * a) * (b - a * a)
        }
        #expect(abs(r.x[0] - 1) < 1e-4 && abs(r.x[1] - 1) < 1e-4, "\(r.x)")
    }

    @Test func logisticSeparatesAndRegularisationShrinks() {
        let rows = (0..<100).map { [Double($0) / 50 - 1] }
        let y = rows.map { $0[0] > 0.1 ? 1 : 0 }
        let x = FeatureMatrix(rows: rows)
        let weak = LogisticModel.fit(x, y, lambda: 1e-3), strong = LogisticModel.fit(x, y, lambda: 1)
        #expect(weak.weights[0] > strong.weights[0] && strong.weights[0] > 0)
        let scores = (0..<x.rows).map { weak.probability(x.row($0)) }
        #expect(Metrics.auc(scores: scores, labels: y) == 1)
    }

    @Test func treeFindsAKnownSplit() {
        // y = 1 exactly when x0 <= 0.3; x1 is noise; some x0 missing and all those rows are 1.
        // 250 rows keep x0 under 254 distinct values, so the histogram cuts between every two
        // neighbouring values (Quantiles.edges) and a split at 0.3 is always representable.
        var rng = SeededGenerator(seed: 5)
        var rows: [[Double]] = [], y: [Int] = []
        for i in 0..<250 {
            let a = Double.random(in: 0...1, using: &rng), b = Double.random(in: 0...1, using: &rng)
            if i % 10 == 0 { rows.append([.nan, b]); y.append(1) } else { rows.append([a, b]); y.append(a <= 0.3 ? 1 : 0) }
        }
        let x = FeatureMatrix(rows: rows)
        let binned = BinnedFeatures(x)
        let g = y.map { 0.5 - Double($0) }, h = y.map { _ in 0.25 }
        let tree = RegressionTree.fit(binned, rows: Array(0..<x.rows), g: g, h: h, TreeParameters(maxLeaves: 2, minSamplesLeaf: 5))
        let root = tree.nodes[0]
        #expect(root.feature == 0)
        #expect(abs(root.threshold - 0.3) < 0.02, "threshold \(root.threshold)")
        #expect(root.missingLeft, "missing rows are all positive, like the left side")
        for (row, label) in zip(rows, y) { #expect((tree.predict(row[...]) > 0) == (label == 1)) }
        let boosted = BoostedTrees.fit(x, y, BoostingParameters(maxIterations: 30), seed: 1)
        let scores = (0..<x.rows).map { boosted.probability(x.row($0)) }
        #expect(Metrics.auc(scores: scores, labels: y) == 1)
        #expect(boosted.probability([0.1, 0.5][...]) > 0.9 && boosted.probability([0.9, 0.5][...]) < 0.1)
    }

    @Test func aucMatchesAHandComputedCase() {
        // Positives 0.35, 0.8; negatives 0.1, 0.4. Pairs won: (0.35>0.1), (0.8>0.1), (0.8>0.4) = 3 of 4.
        #expect(Metrics.auc(scores: [0.1, 0.4, 0.35, 0.8], labels: [0, 0, 1, 1]) == 0.75)
        // A tie between a positive and a negative counts one half: (1 + 0.5 + 1 + 1) / 4.
        #expect(Metrics.auc(scores: [0.1, 0.5, 0.5, 0.9], labels: [0, 0, 1, 1]) == 0.875)
        let roc = Metrics.roc(scores: [0.1, 0.4, 0.35, 0.8], labels: [0, 0, 1, 1])
        #expect(roc.map(\.truePositiveRate) == [0, 0.5, 0.5, 1, 1])
        #expect(roc.map(\.falsePositiveRate) == [0, 0, 0.5, 0.5, 1])
    }

    @Test func metricsAndThresholdChooser() {
        let scores = [0.9, 0.8, 0.7, 0.6, 0.4, 0.3, 0.2], labels = [1, 1, 0, 1, 0, 1, 0]
        let m = BinaryMetrics(scores: scores, labels: labels, threshold: 0.5)
        #expect(m.confusion == ConfusionMatrix(truePositives: 3, falsePositives: 1, trueNegatives: 2, falseNegatives: 1))
        #expect(m.precision == 0.75 && m.recall == 0.75 && m.f1 == 0.75)
        #expect(abs(m.accuracy - 5.0 / 7) < 1e-12)
        #expect(ThresholdRule.precision(1).choose(scores: scores, labels: labels) == 0.8)
        #expect(ThresholdRule.recall(1).choose(scores: scores, labels: labels) == 0.3)
        #expect(ThresholdRule.bestF1.choose(scores: scores, labels: labels) == 0.3)   // F1 = 0.8 there (precision 2/3, recall 1)
        #expect(ThresholdRule.fixed(0.42).choose(scores: scores, labels: labels) == 0.42)
    }


    @Test func stratifiedFoldsAreBalancedAndRepeatable() {
        let labels = (0..<103).map { $0 % 3 == 0 ? 1 : 0 }
        let f = Splits.kFold(labels: labels, folds: 10, seed: 9)
        #expect(f == Splits.kFold(labels: labels, folds: 10, seed: 9))
        for k in 0..<10 {
            let size = f.filter { $0 == k }.count
            #expect(size == 10 || size == 11)
        }
        let s = Splits.trainTest(count: 100, seed: 4)
        #expect(s.train.count == 70 && s.test.count == 30 && Set(s.train).isDisjoint(with: s.test))
    }
}
