import Foundation

public enum ModelKind: String, Codable, Sendable, CaseIterable {
    case logistic, trees
}

/// The learned predictor of a pipeline: either model family.
public enum Predictor: Sendable {
    case logistic(LogisticModel)
    case trees(BoostedTrees)
    public func probability(_ row: ArraySlice<Double>) -> Double {
        switch self {
        case .logistic(let m): return m.probability(row)
        case .trees(let m): return m.probability(row)
        }
    }
}

/// A recipe and a model fitted together on some rows, with the regularisation that
/// cross-validation on those rows chose, and their out-of-fold scores.
public struct FittedPipeline: Sendable {
    public var recipe: Recipe
    public var predictor: Predictor
    public var hyperparameters: String
    /// Inner cross-validation scores of the chosen setting, aligned with the fitted rows.
    public var outOfFoldScores: [Double]

    public func scores(_ ds: Datasource, rows: [Int]) throws -> [Double] {
        let x = try recipe.matrix(ds, rows: rows)
        return (0..<x.rows).map { predictor.probability(x.row($0)) }
    }
}

public struct PipelineOptions: Codable, Sendable {
    public var model: ModelKind = .logistic
    /// The recipe; nil picks the model's default (bins for logistic, raw values for trees).
    public var recipe: RecipeOptions? = nil
    public var seed: UInt64 = 1
    /// Folds of the inner cross-validation that picks the regularisation.
    public var tuningFolds = 5
    /// Candidate L2 strengths for logistic regression.
    public var lambdas: [Double] = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1]
    /// Candidate tree shapes for boosting.
    public var treeGrid: [TreeParameters] = [
        TreeParameters(maxLeaves: 4, minSamplesLeaf: 20, l2: 1),
        TreeParameters(maxLeaves: 8, minSamplesLeaf: 20, l2: 1),
        TreeParameters(maxLeaves: 16, minSamplesLeaf: 20, l2: 1),
    ]
    public var boosting = BoostingParameters()
    public init(model: ModelKind = .logistic, seed: UInt64 = 1) { self.model = model; self.seed = seed }

    public var effectiveRecipe: RecipeOptions {
        recipe ?? RecipeOptions(numeric: model == .trees ? .raw : .bins)
    }
}

public enum Pipeline {
    /// Fits the recipe on `rows`, chooses the regularisation by stratified k-fold AUC on
    /// `rows` (ties go to the stronger penalty, listed first), then refits on all of `rows`.
    public static func fit(_ ds: Datasource, rows: [Int], features: [String], options: PipelineOptions) throws -> FittedPipeline {
        let recipe = try Recipe.fit(ds, rows: rows, features: features, options: options.effectiveRecipe)
        let x = try recipe.matrix(ds, rows: rows)
        let y = rows.map { ds.labels[$0] }
        let inner = Splits.kFold(labels: y, folds: options.tuningFolds, seed: options.seed &+ 7)
        func subset(_ idx: [Int]) -> FeatureMatrix {
            var m = FeatureMatrix(rows: 0, columns: x.columns)
            m.values.reserveCapacity(idx.count * x.columns)
            for i in idx { m.append(Array(x.row(i))) }
            return m
        }
        /// Fits one candidate; the predictor passed in is the previous candidate's on the same rows (for warm starts).
        typealias Fit = (FeatureMatrix, [Int], Predictor?) -> Predictor
        var candidates: [(String, Fit)] = []
        switch options.model {
        case .logistic:
            for l in options.lambdas.sorted(by: >) {
                candidates.append(("lambda=\(l)", { x, y, previous in
                    guard case .logistic(let warm)? = previous else { return .logistic(LogisticModel.fit(x, y, lambda: l)) }
                    return .logistic(LogisticModel.fit(x, y, lambda: l, start: warm))
                }))
            }
        case .trees:
            for t in options.treeGrid {
                var b = options.boosting
                b.tree = t
                let seed = options.seed
                candidates.append(("maxLeaves=\(t.maxLeaves) minSamplesLeaf=\(t.minSamplesLeaf) l2=\(t.l2) learningRate=\(b.learningRate)",
                                   { x, y, _ in .trees(BoostedTrees.fit(x, y, b, seed: seed)) }))
            }
        }
        var best: (auc: Double, index: Int, oof: [Double]) = (-1, 0, [])
        let foldRows = (0..<options.tuningFolds).map { f in (y.indices.filter { inner[$0] != f }, y.indices.filter { inner[$0] == f }) }
        let foldData = foldRows.map { (subset($0.0), $0.0.map { y[$0] }) }
        var previous = [Predictor?](repeating: nil, count: options.tuningFolds)
        for (ci, c) in candidates.enumerated() {
            var oof = [Double](repeating: 0, count: rows.count)
            for (f, (tr, te)) in foldRows.enumerated() {
                guard !tr.isEmpty, !te.isEmpty else { continue }
                let model = c.1(foldData[f].0, foldData[f].1, previous[f])
                previous[f] = model
                for i in te { oof[i] = model.probability(x.row(i)) }
            }
            let auc = Metrics.auc(scores: oof, labels: y)
            if auc > best.auc + 1e-9 { best = (auc, ci, oof) }
        }
        var predictor = candidates[best.index].1(x, y, nil)
        if case .trees(var t) = predictor, options.boosting.validationFraction > 0 {
            // Keep the held-back rows' information: refit on all rows for the stopped round count.
            var b = t.parameters
            b.maxIterations = Swift.max(1, t.trees.count)
            b.validationFraction = 0
            t = BoostedTrees.fit(x, y, b, seed: options.seed)
            predictor = .trees(t)
        }
        let name: String
        if case .trees(let t) = predictor { name = candidates[best.index].0 + " rounds=\(t.trees.count)" }
        else { name = candidates[best.index].0 }
        return FittedPipeline(recipe: recipe, predictor: predictor, hyperparameters: name, outOfFoldScores: best.oof)
    }
}
