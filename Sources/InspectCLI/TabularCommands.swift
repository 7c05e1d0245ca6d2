import ArgumentParser
import Checksums
import Foundation
import Tabular

/// `inspect tabular ...`: Amazon ML style binary models on CSV files.
struct TabularCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tabular",
        abstract: "Binary classifiers on CSV data (Amazon Machine Learning style): schema, train, evaluate, predict.",
        subcommands: [TabularSchema.self, TabularTrain.self, TabularEvaluate.self, TabularPredict.self])
}

/// Runs a command body; Tabular and Models-directory errors reach the user as `Error: <message>`
/// (ArgumentParser prints an error's description and exits with status 1, without the usage text
/// that belongs to mistakes in the command line itself).
func runTabular<T>(_ body: () throws -> T) throws -> T {
    try body()
}

func printJSON<T: Encodable>(_ value: T) throws {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys]
    e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
    print(String(decoding: try e.encode(value), as: UTF8.self))
}

/// Options naming the data: which column is the target, which to leave out, the schema.
struct DataOptions: ParsableArguments {
    @Option(help: "Target column (binary, e.g. 0/1).") var target: String
    @Option(name: .customLong("schema"), help: "Schema JSON to use instead of inferring one (see `inspect tabular schema --output`).")
    var schemaPath: String?
    @Option(help: "Row-ID column: carried to predictions, never a feature.") var rowId: String?
    @Option(parsing: .upToNextOption, help: "Columns to leave out (space or comma separated).") var exclude: [String] = []

    func load(_ file: String) throws -> Datasource {
        try Datasource.load(path: file, target: target, schemaPath: schemaPath, rowId: rowId, exclude: splitList(exclude))
    }
}

/// Options shaping the model: features, recipe, model family, leakage, seed.
struct ModelOptions: ParsableArguments {
    @Option(parsing: .upToNextOption, help: "Feature columns (space or comma separated); default: every column not excluded or leaking.")
    var features: [String] = []
    @Option(help: "Model family: logistic or trees.") var model: String = "logistic"
    @Option(help: "Numeric columns: bins, standardize, both, raw (default: bins for logistic, raw for trees).") var numeric: String?
    @Option(help: "Quantile bins per numeric column.") var bins: Int = 10
    @Option(help: "Cross two columns, e.g. --cross sex:pclass (repeatable).") var cross: [String] = []
    @Flag(help: "Cross every pair of (non-text) features.") var crossAll = false
    @Flag(help: "Keep columns the leakage guard flags.") var allowLeaky = false
    @Option(help: "Seed for splits and folds.") var seed: UInt64 = 1

    func training() throws -> TrainingOptions {
        var o = TrainingOptions()
        let f = splitList(features)
        o.features = f.isEmpty ? nil : f
        guard let kind = ModelKind(rawValue: model.lowercased()) else {
            throw ValidationError("--model \(model): expected logistic or trees")
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

/// The threshold chooser: a fixed value, best F1, or a target precision or recall.
struct ThresholdOptions: ParsableArguments {
    @Option(help: "Score threshold (default 0.5).") var threshold: Double?
    @Flag(help: "Choose the threshold with the best F1.") var bestF1 = false
    @Option(help: "Choose the lowest threshold reaching this precision.") var targetPrecision: Double?
    @Option(help: "Choose the highest threshold reaching this recall.") var targetRecall: Double?

    func rule() throws -> ThresholdRule {
        let given = [threshold != nil, bestF1, targetPrecision != nil, targetRecall != nil].filter { $0 }.count
        guard given <= 1 else { throw ValidationError("give at most one of --threshold, --best-f1, --target-precision, --target-recall") }
        for (name, v) in [("--threshold", threshold), ("--target-precision", targetPrecision), ("--target-recall", targetRecall)] {
            if let v, !(0...1).contains(v) { throw ValidationError("\(name) \(v): must be between 0 and 1") }
        }
        if bestF1 { return .bestF1 }
        if let targetPrecision { return .precision(targetPrecision) }
        if let targetRecall { return .recall(targetRecall) }
        return .fixed(threshold ?? 0.5)
    }
}

func splitList(_ items: [String]) -> [String] {
    items.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}

func fmt(_ v: Double?, _ digits: Int = 3) -> String {
    guard let v, v.isFinite else { return "-" }
    return String(format: "%.\(digits)f", v)
}

func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }

struct TabularSchema: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema", abstract: "Infer a CSV file's schema and show column statistics and leakage warnings.")
    @Argument(help: "CSV file.") var file: String
    @Option(help: "Target column (enables target correlation and leakage checks).") var target: String?
    @Option(help: "Row-ID column.") var rowId: String?
    @Option(parsing: .upToNextOption, help: "Columns to leave out.") var exclude: [String] = []
    @Option(help: "Write the schema JSON here, to edit and pass back with --schema.") var output: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        try runTabular {
            let table = try CSVReader.read(path: file)
            let schema = try SchemaInference.infer(table, target: target, rowId: rowId, exclude: splitList(exclude))
            if let output {
                do { try schema.jsonData().write(to: URL(fileURLWithPath: output)) }
                catch { throw TabularError("\(output): cannot write the schema (\(error.localizedDescription))") }
            }
            var stats: [ColumnStatistics] = [], leaks: [LeakageWarning] = []
            if target != nil {
                let ds = try Datasource(table: table, schema: schema)
                stats = try Statistics.compute(ds)
                leaks = try LeakageGuard.check(ds, columns: ds.candidateFeatures)
            }
            if json {
                struct Out: Encodable { var schema: Schema; var statistics: [ColumnStatistics]; var leakage: [LeakageWarning] }
                try printJSON(Out(schema: schema, statistics: stats, leakage: leaks))
                return
            }
            print("\(file): \(table.rows.count) rows, \(table.header.count) columns")
            let w = max(8, table.header.map(\.count).max() ?? 8) + 2
            print(pad("column", w) + pad("type", 13) + pad("missing", 9) + pad("distinct", 9) + pad("range", 20) + pad("corr", 8) + "reason")
            for a in schema.attributes {
                let s = stats.first { $0.name == a.attributeName }
                var role = ""
                if a.attributeName == schema.targetAttributeName { role = " (target)" }
                else if a.attributeName == schema.rowId { role = " (row ID)" }
                else if schema.excludedAttributeNames.contains(a.attributeName) { role = " (excluded)" }
                let range = s?.min.map { "\(fmt($0, 2))..\(fmt(s?.max, 2))" } ?? ""
                print(pad(a.attributeName, w) + pad(a.attributeType.rawValue, 13)
                      + pad(s.map { fmt($0.missingPercent, 1) + "%" } ?? "", 9) + pad(s.map { "\($0.distinct)" } ?? "", 9)
                      + pad(range, 20) + pad(s?.targetCorrelation.map { fmt($0) } ?? "", 8) + (a.reason ?? "") + role)
            }
            for l in leaks { print("LEAKAGE WARNING: '\(l.column)': \(l.reason); left out of training unless --allow-leaky") }
            if let output { print("schema written to \(output)") }
        }
    }
}

struct TabularTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train a binary model on a CSV file (seeded 70/30 split; metrics on the 30%).")
    @Argument(help: "Training CSV file.") var file: String
    @OptionGroup var data: DataOptions
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var thresholdOptions: ThresholdOptions
    @Option(name: .shortAndLong, help: "Where to write the model JSON.") var output: String = "tabular-model.json"
    @Option(help: "Also cross-validate the configuration with k folds on all rows and record it in the model.") var cv: Int?
    @Option(help: "Where the data came from, recorded in the model's provenance.") var datasetSource: String?
    @Flag(help: "Print the training report as JSON.") var json = false

    func run() throws {
        try runTabular {
            let ds = try data.load(file)
            var options = try modelOptions.training()
            options.threshold = try thresholdOptions.rule()
            let sha = FileManager.default.contents(atPath: file).map(SHA256.hex) ?? ""
            var (model, report) = try Trainer.train(ds, options: options, datasetSHA256: sha)
            model.provenance.datasetSource = datasetSource
            if let cv {
                guard cv >= 2 else { throw TabularError("--cv \(cv): need at least 2 folds") }
                model.metrics.crossValidation = try Trainer.crossValidate(ds, options: options, folds: cv).0
            }
            try model.save(path: output)
            if json { try printJSON(report); return }
            for l in report.leakage {
                print("LEAKAGE WARNING: '\(l.column)': \(l.reason)" + (report.leftOut.contains(l.column) ? "; left out (--allow-leaky keeps it)" : "; kept (--allow-leaky)"))
            }
            if ds.droppedRows > 0 { print("\(ds.droppedRows) rows without a target value skipped") }
            print("features: \(report.features.joined(separator: ", "))")
            print("model: \(model.kind.rawValue) (\(report.hyperparameters), chosen by \(options.pipeline.tuningFolds)-fold CV on the training rows), \(model.recipe.featureNames.count) inputs")
            printMetrics(report.evaluation, title: "evaluation on \(report.evaluationRows) held-back rows (trained on \(report.trainRows)), threshold \(fmt(report.evaluation.threshold)) (\(report.thresholdRule))", positive: ds.positiveLabel)
            print("training time: \(fmt(report.trainSeconds, 2)) s")
            if let c = model.metrics.crossValidation {
                print("\(c.folds)-fold cross-validated AUC on all \(ds.labels.count) rows: mean \(fmt(c.meanAUC, 4)), pooled \(fmt(c.pooledAUC, 4))")
            }
            print("model written to \(output)")
        }
    }
}

func printMetrics(_ m: BinaryMetrics, title: String, positive: String) {
    print(title)
    print("  AUC \(fmt(m.auc))  accuracy \(fmt(m.accuracy))  precision \(fmt(m.precision))  recall \(fmt(m.recall))  F1 \(fmt(m.f1))")
    let c = m.confusion
    print("  confusion (rows: actual, columns: predicted)")
    print("                predicted 0  predicted 1")
    print("    actual 0  " + String(format: "%11d  %11d", c.trueNegatives, c.falsePositives))
    print("    actual 1  " + String(format: "%11d  %11d", c.falseNegatives, c.truePositives) + "   (1 = '\(positive)')")
}

struct TabularEvaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate a saved model on a labelled CSV, or cross-validate a configuration with --folds.",
        discussion: """
        inspect tabular evaluate data.csv --model-file model.json      (saved model on labelled data)
        inspect tabular evaluate data.csv --target survived --folds 10 --features age,sex,pclass,embarked
        """)
    @Argument(help: "Labelled CSV file.") var file: String
    @Option(help: "Saved model to evaluate (default: train and test by cross-validation, needs --target).") var modelFile: String?
    @Option(help: "Target column (cross-validation).") var target: String?
    @Option(help: "k for k-fold cross-validation.") var folds: Int = 10
    @Option(help: "Write each row's fold to this CSV (row,fold), to reproduce the folds elsewhere.") var exportFolds: String?
    @Option(help: "Read each row's fold from this CSV (row,fold) instead of drawing them.") var foldsFile: String?
    @Option(name: .customLong("schema"), help: "Schema JSON (cross-validation).") var schemaPath: String?
    @Option(parsing: .upToNextOption, help: "Columns to leave out.") var exclude: [String] = []
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var thresholdOptions: ThresholdOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        try runTabular {
            if let modelFile { try evaluateSaved(modelFile); return }
            guard let target else { throw TabularError("give --model-file to evaluate a saved model, or --target to cross-validate") }
            guard folds >= 2 else { throw TabularError("--folds \(folds): need at least 2") }
            let ds = try Datasource.load(path: file, target: target, schemaPath: schemaPath, exclude: splitList(exclude))
            let options = try modelOptions.training()
            let given = try foldsFile.map { try readFolds($0, rows: ds.labels.count) }
            let (report, foldOf) = try Trainer.crossValidate(ds, options: options, folds: given.map { ($0.max() ?? 0) + 1 } ?? folds, foldOf: given)
            if let exportFolds {
                let rows = foldOf.enumerated().map { ["\(ds.rowIndices[$0.offset])", "\($0.element)", "\(ds.labels[$0.offset])"] }
                do { try CSVReader.format(header: ["row", "fold", "label"], rows: rows).write(toFile: exportFolds, atomically: true, encoding: .utf8) }
                catch { throw TabularError("\(exportFolds): cannot write the folds (\(error.localizedDescription))") }
            }
            if json { try printJSON(report); return }
            print("\(report.folds)-fold cross-validation of \(report.model.rawValue) on \(file) (\(ds.labels.count) rows)")
            print("features: \(report.features.joined(separator: ", "))")
            print("fold AUC: \(report.foldAUC.map { fmt($0) }.joined(separator: " "))")
            print("mean AUC \(fmt(report.meanAUC, 4))  pooled out-of-fold AUC \(fmt(report.pooledAUC, 4))  training time \(fmt(report.trainSeconds, 2)) s")
        }
    }

    func readFolds(_ path: String, rows: Int) throws -> [Int] {
        let t = try CSVReader.read(path: path)
        let j = try t.columnIndex("fold")
        let f = try t.rows.enumerated().map { i, r in
            guard let v = Int(r[j]), v >= 0 else { throw TabularError("\(path): row \(i + 1): fold '\(r[j])' is not a non-negative integer") }
            return v
        }
        guard f.count == rows else { throw TabularError("\(path): \(f.count) folds for \(rows) labelled rows") }
        return f
    }

    func evaluateSaved(_ path: String) throws {
        let model = try TabularModel.load(path: path)
        let table = try CSVReader.read(path: file)
        let labels = try model.labels(in: table)
        let rule = try thresholdOptions.rule()
        let predictions = try model.predict(table: table)
        let kept = predictions.filter { labels[$0.row] != nil }
        let scores = kept.map(\.score), y = kept.compactMap { labels[$0.row] }
        let threshold = thresholdOptions.threshold == nil && !thresholdOptions.bestF1 && thresholdOptions.targetPrecision == nil && thresholdOptions.targetRecall == nil
            ? model.threshold : rule.choose(scores: scores, labels: y)
        guard let threshold else { throw TabularError("no threshold reaches \(rule) on \(file)") }
        let m = BinaryMetrics(scores: scores, labels: y, threshold: threshold)
        let sameData = FileManager.default.contents(atPath: file).map(SHA256.hex) == model.provenance.datasetSHA256
        if sameData {
            FileHandle.standardError.write(Data("note: \(file) is this model's training data (same sha256); these figures include the \(model.metrics.trainRows) rows it was trained on. The held-back figures are in the model's metrics.evaluation.\n".utf8))
        }
        if json {
            struct Out: Encodable { var metrics: BinaryMetrics; var roc: [ROCPoint] }
            try printJSON(Out(metrics: m, roc: Metrics.roc(scores: scores, labels: y)))
            return
        }
        printMetrics(m, title: "\(path) on \(file): \(y.count) labelled rows, threshold \(fmt(threshold))", positive: model.positiveLabel)
    }
}

struct TabularPredict: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict with a saved model: a CSV in and a CSV out, or one row with --set.",
        discussion: "Without --model-file, uses the shipped survival model Models/titanic-survival.json.")
    @Argument(help: "CSV file to score (omit to give one row with --set).") var file: String?
    @Option(help: "Saved model JSON.") var modelFile: String?
    @Option(help: "Models directory (default: INSPECT_MODELS, ./Models, or next to the executable).") var models: String?
    @Option(name: .customLong("set"), help: "One field of a single row, as column=value (repeatable).") var fields: [String] = []
    @Option(name: .shortAndLong, help: "Write the predictions CSV here (default: stdout).") var output: String?
    @Option(help: "Score threshold (default: the model's).") var threshold: Double?
    @Flag(help: "Print the Amazon ML Predict JSON (one object per line for a CSV).") var json = false

    func run() throws {
        try runTabular {
            let model = try TabularModel.load(file: modelFile, models: models)
            if let file {
                guard fields.isEmpty else { throw TabularError("give a CSV file or --set fields, not both") }
                try predictFile(model, file)
                return
            }
            guard !fields.isEmpty else { throw TabularError("give a CSV file to score, or one row as --set column=value ...") }
            let row = try parseFields(fields)
            let p = try model.predict(row, threshold: threshold)
            if json { print(p.jsonString(pretty: true)) } else { printPrediction(p, model: model) }
        }
    }

    func predictFile(_ model: TabularModel, _ file: String) throws {
        let table = try CSVReader.read(path: file)
        let t = threshold ?? model.threshold
        let predictions = try model.predict(table: table, threshold: t)
        if json {
            for p in predictions { print(PredictResponse(score: p.score, threshold: t).jsonString()) }
            return
        }
        // Amazon ML batch output: the row ID (or every input column), then bestAnswer and score.
        let idColumn = model.schema.rowId.flatMap { id in table.header.firstIndex(of: id) }
        let header = (idColumn.map { [table.header[$0]] } ?? table.header) + ["bestAnswer", "score"]
        let rows = predictions.map { p in
            (idColumn.map { [table.rows[p.row][$0]] } ?? table.rows[p.row]) + ["\(p.bestAnswer)", String(format: "%.6f", p.score)]
        }
        let text = CSVReader.format(header: header, rows: rows)
        if let output {
            do { try text.write(toFile: output, atomically: true, encoding: .utf8) }
            catch { throw TabularError("\(output): cannot write the predictions (\(error.localizedDescription))") }
            FileHandle.standardError.write(Data("\(predictions.count) predictions written to \(output)\n".utf8))
        } else {
            print(text, terminator: "")
        }
    }
}

/// `column=value` pairs into a dictionary; the error names the malformed one.
func parseFields(_ fields: [String]) throws -> [String: String] {
    var row: [String: String] = [:]
    for f in fields {
        guard let eq = f.firstIndex(of: "="), eq != f.startIndex else { throw TabularError("--set \(f): expected column=value") }
        row[String(f[..<eq]).trimmingCharacters(in: .whitespaces)] = String(f[f.index(after: eq)...])
    }
    return row
}


func printPrediction(_ p: PredictResponse, model: TabularModel) {
    let score = p.Prediction.predictedScores["1"] ?? 0
    let label = p.Prediction.predictedLabel == "1" ? model.positiveLabel : model.negativeLabel
    print("predicted \(model.target) = \(label) (label \(p.Prediction.predictedLabel)): score \(fmt(score)) against threshold \(fmt(p.Prediction.details.Threshold))")
}
