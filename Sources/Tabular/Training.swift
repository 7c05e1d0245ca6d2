import Foundation

public struct TrainingOptions: Sendable {
    /// Feature columns; nil means every column not excluded (and not leaking).
    public var features: [String]? = nil
    public var pipeline = PipelineOptions()
    /// Keep columns the leakage guard flags.
    public var allowLeaky = false
    public var threshold: ThresholdRule = .fixed(0.5)
    /// Share of rows to train on; the rest evaluates (Amazon ML's wizard: 0.7).
    public var trainFraction = 0.7
    public var seed: UInt64 = 1
    public init() {}
}

/// What training did, for the training report.
public struct TrainingReport: Codable, Sendable {
    public var features: [String]
    public var leakage: [LeakageWarning]
    /// Leaking columns that were left out.
    public var leftOut: [String]
    public var hyperparameters: String
    public var trainRows: Int
    public var evaluationRows: Int
    public var droppedRows: Int
    public var thresholdRule: String
    public var evaluation: BinaryMetrics
    public var roc: [ROCPoint]
    public var trainSeconds: Double
}

/// Cross-validated evaluation of one model configuration.
public struct CrossValidationReport: Codable, Sendable {
    public var features: [String]
    public var model: ModelKind
    public var recipe: RecipeOptions
    public var folds: Int
    public var foldAUC: [Double]
    /// Mean of the per-fold AUCs.
    public var meanAUC: Double
    /// AUC of all out-of-fold scores pooled.
    public var pooledAUC: Double
    public var trainSeconds: Double
    public var hyperparameters: [String]
}

public enum Trainer {
    /// The features to use, with leakage warnings and the leaking columns left out.
    public static func selectFeatures(_ ds: Datasource, _ options: TrainingOptions) throws -> (features: [String], warnings: [LeakageWarning], leftOut: [String]) {
        let asked = try options.features.map { try ds.resolveFeatures($0) }
        let candidates = asked ?? ds.candidateFeatures
        if candidates.isEmpty { throw TabularError("\(ds.table.source): no feature columns left to train on") }
        let warnings = try LeakageGuard.check(ds, columns: candidates)
        let leftOut = options.allowLeaky ? [] : warnings.map(\.column)
        let features = candidates.filter { !leftOut.contains($0) }
        if features.isEmpty {
            throw TabularError("\(ds.table.source): every feature leaks the target (\(leftOut.joined(separator: ", "))); pass --allow-leaky to keep them anyway")
        }
        return (features, warnings, leftOut)
    }

    /// Amazon ML's flow: seeded 70/30 split, fit on 70%, threshold from the inner
    /// cross-validation scores of the training rows, metrics on the held-back 30%.
    public static func train(_ ds: Datasource, options: TrainingOptions, datasetSHA256: String) throws -> (TabularModel, TrainingReport) {
        let start = Date()
        let (features, warnings, leftOut) = try selectFeatures(ds, options)
        let split = Splits.trainTest(count: ds.labels.count, trainFraction: options.trainFraction, seed: options.seed)
        guard Set(split.train.map { ds.labels[$0] }).count == 2 else {
            throw TabularError("\(ds.table.source): the training split holds only one class of '\(ds.schema.targetAttributeName ?? "target")'")
        }
        var pipelineOptions = options.pipeline
        pipelineOptions.seed = options.seed
        let fitted = try Pipeline.fit(ds, rows: split.train, features: features, options: pipelineOptions)
        let trainLabels = split.train.map { ds.labels[$0] }
        guard let threshold = options.threshold.choose(scores: fitted.outOfFoldScores, labels: trainLabels) else {
            throw TabularError("no threshold reaches \(options.threshold) on the training rows' cross-validation scores")
        }
        let seconds = Date().timeIntervalSince(start)
        let evalRows = split.test.isEmpty ? split.train : split.test
        let scores = try fitted.scores(ds, rows: evalRows)
        let labels = evalRows.map { ds.labels[$0] }
        let metrics = BinaryMetrics(scores: scores, labels: labels, threshold: threshold)
        let report = TrainingReport(features: features, leakage: warnings, leftOut: leftOut,
                                    hyperparameters: fitted.hyperparameters, trainRows: split.train.count,
                                    evaluationRows: split.test.count, droppedRows: ds.droppedRows,
                                    thresholdRule: options.threshold.description, evaluation: metrics,
                                    roc: Metrics.roc(scores: scores, labels: labels), trainSeconds: seconds)
        let model = TabularModel(ds: ds, fitted: fitted, features: features, threshold: threshold,
                                 report: report, seed: options.seed, datasetSHA256: datasetSHA256)
        return (model, report)
    }

    /// k-fold cross-validation; `foldOf` gives each kept row's fold (else stratified, seeded).
    public static func crossValidate(_ ds: Datasource, options: TrainingOptions, folds k: Int, foldOf given: [Int]? = nil) throws -> (CrossValidationReport, [Int]) {
        guard k >= 2, k <= ds.labels.count else {
            throw TabularError("\(ds.table.source): \(k) folds for \(ds.labels.count) labelled rows; need 2 to \(ds.labels.count)")
        }
        let (features, _, _) = try selectFeatures(ds, options)
        let foldOf = given ?? Splits.kFold(labels: ds.labels, folds: k, seed: options.seed)
        guard foldOf.count == ds.labels.count else {
            throw TabularError("fold assignment has \(foldOf.count) rows, the data has \(ds.labels.count)")
        }
        var aucs: [Double] = [], hyper: [String] = []
        var oof = [Double](repeating: 0, count: ds.labels.count)
        var seconds = 0.0
        for f in 0..<k {
            let train = foldOf.indices.filter { foldOf[$0] != f }, test = foldOf.indices.filter { foldOf[$0] == f }
            guard !test.isEmpty else { throw TabularError("fold \(f) is empty") }
            var p = options.pipeline
            p.seed = options.seed &+ UInt64(f)
            let start = Date()
            let fitted = try Pipeline.fit(ds, rows: train, features: features, options: p)
            seconds += Date().timeIntervalSince(start)
            let s = try fitted.scores(ds, rows: test)
            for (i, r) in test.enumerated() { oof[r] = s[i] }
            aucs.append(Metrics.auc(scores: s, labels: test.map { ds.labels[$0] }))
            hyper.append(fitted.hyperparameters)
        }
        let report = CrossValidationReport(features: features, model: options.pipeline.model,
                                           recipe: options.pipeline.effectiveRecipe, folds: k, foldAUC: aucs,
                                           meanAUC: aucs.reduce(0, +) / Double(aucs.count),
                                           pooledAUC: Metrics.auc(scores: oof, labels: ds.labels),
                                           trainSeconds: seconds, hyperparameters: hyper)
        return (report, foldOf)
    }
}
