import Foundation

public struct BoostingParameters: Codable, Sendable, Equatable {
    public var learningRate = 0.1
    public var maxIterations = 200
    public var tree = TreeParameters()
    /// Share of the training rows held back to decide when to stop.
    public var validationFraction = 0.1
    /// Stop after this many rounds without a better validation log loss.
    public var patience = 10
    public init(learningRate: Double = 0.1, maxIterations: Int = 200, tree: TreeParameters = TreeParameters(),
                validationFraction: Double = 0.1, patience: Int = 10) {
        self.learningRate = learningRate; self.maxIterations = maxIterations; self.tree = tree
        self.validationFraction = validationFraction; self.patience = patience
    }
}

/// Gradient-boosted trees for the log loss (Friedman 2001): each round fits a tree to the
/// gradient g = p - y and hessian h = p (1 - p) of the loss at the current raw score, and adds
/// it scaled by the learning rate (shrinkage).
public struct BoostedTrees: Codable, Sendable {
    public var baseScore: Double
    public var learningRate: Double
    public var trees: [RegressionTree]
    public var parameters: BoostingParameters

    public static func fit(_ x: FeatureMatrix, _ y: [Int], _ p: BoostingParameters, seed: UInt64) -> BoostedTrees {
        let binned = BinnedFeatures(x)
        // Early-stopping rows, drawn stratified so both classes are represented.
        var fit = Array(0..<x.rows), valid: [Int] = []
        if p.validationFraction > 0 && x.rows >= 50 {
            let parts = Splits.stratifiedHoldout(labels: y, fraction: p.validationFraction, seed: seed)
            fit = parts.train; valid = parts.holdout
        }
        let positives = Double(fit.reduce(0) { $0 + y[$1] })
        let prior = Swift.min(Swift.max(positives / Double(Swift.max(fit.count, 1)), 1e-6), 1 - 1e-6)
        var model = BoostedTrees(baseScore: log(prior / (1 - prior)), learningRate: p.learningRate, trees: [], parameters: p)
        var raw = [Double](repeating: model.baseScore, count: x.rows)
        var g = [Double](repeating: 0, count: x.rows), h = g
        var bestLoss = Double.infinity, bestCount = 0
        for _ in 0..<p.maxIterations {
            for i in fit {
                let q = LogisticModel.sigmoid(raw[i])
                g[i] = q - Double(y[i]); h[i] = q * (1 - q)
            }
            var tree = RegressionTree.fit(binned, rows: fit, g: g, h: h, p.tree)
            for k in tree.nodes.indices { tree.nodes[k].value *= p.learningRate }
            if tree.nodes.count == 1 { break }   // no split gains anything
            model.trees.append(tree)
            for i in 0..<x.rows { raw[i] += tree.predict(x.row(i)) }
            guard !valid.isEmpty else { continue }
            let loss = Metrics.logLoss(scores: valid.map { LogisticModel.sigmoid(raw[$0]) }, labels: valid.map { y[$0] })
            if loss < bestLoss - 1e-7 { bestLoss = loss; bestCount = model.trees.count }
            else if model.trees.count - bestCount >= p.patience { break }
        }
        if !valid.isEmpty { model.trees.removeLast(model.trees.count - bestCount) }
        return model
    }

    public func probability(_ row: ArraySlice<Double>) -> Double {
        var z = baseScore
        for t in trees { z += t.predict(row) }
        return LogisticModel.sigmoid(z)
    }
}
