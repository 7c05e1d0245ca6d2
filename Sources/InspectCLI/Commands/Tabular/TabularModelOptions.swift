import ArgumentParser
import Tabular

/// Options shaping the model: features, recipe, model family, leakage, seed.
struct TabularModelOptions: ParsableArguments {
    @Option(parsing: .upToNextOption, help: "Feature columns (space or comma separated); default: every column not excluded or leaking.")
    var features: [String] = []
    @Option(help: ArgumentHelp("Model family: logistic or trees (default: logistic).", valueName: "family")) var family: String?
    /// The former spelling of --family (`--model` names a model elsewhere), accepted but hidden.
    @Option(name: .customLong("model"), help: .hidden) var formerFamily: String?
    @Option(help: "Numeric columns: bins, standardize, both, raw (default: bins for logistic, raw for trees).") var numeric: String?
    @Option(help: "Quantile bins per numeric column.") var bins: Int = 10
    @Option(help: "Cross two columns, e.g. --cross sex:pclass (repeatable).") var cross: [String] = []
    @Flag(help: "Cross every pair of (non-text) features.") var crossAll = false
    @Flag(help: "Keep columns the leakage guard flags.") var allowLeaky = false
    @Option(help: "Seed for splits and folds.") var seed: UInt64 = 1

    func validate() throws {
        if family != nil && formerFamily != nil { throw ValidationError("give --family only (--model is its former name)") }
    }

    func training() throws -> TrainingOptions {
        var o = TrainingOptions()
        let f = columnNames(features)
        o.features = f.isEmpty ? nil : f
        let model = family ?? formerFamily ?? "logistic"
        guard let kind = ModelKind(rawValue: model.lowercased()) else {
            throw ValidationError("--family \(model): expected logistic or trees")
        }
        o.pipeline = PipelineOptions(model: kind, seed: seed)
        var r = o.pipeline.effectiveRecipe
        if let numeric {
            guard let n = NumericTransform(rawValue: numeric.lowercased()) else {
                throw ValidationError("--numeric \(numeric): expected one of \(NumericTransform.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            r.numeric = n
        }
        guard bins >= 2 else { throw ValidationError("--bins \(bins): need at least 2") }
        r.quantileBins = bins
        r.crosses = try cross.map { c in
            let parts = c.split(separator: ":").map(String.init)
            guard parts.count == 2 else { throw ValidationError("--cross \(c): expected two columns as A:B") }
            return parts
        }
        r.crossAllPairs = crossAll
        o.pipeline.recipe = r
        o.allowLeaky = allowLeaky
        o.seed = seed
        return o
    }
}
