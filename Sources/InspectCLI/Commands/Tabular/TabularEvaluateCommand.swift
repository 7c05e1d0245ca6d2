import ArgumentParser
import Checksums
import Foundation
import Tabular

/// `inspect tabular evaluate FILE`: a saved model on labelled data, or a configuration by
/// cross-validation.
struct TabularEvaluateCommand: ParsableCommand {
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
    @OptionGroup var modelOptions: TabularModelOptions
    @OptionGroup var thresholdOptions: TabularThresholdOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        if let modelFile { try evaluateSaved(modelFile); return }
        guard let target else { throw TabularError("give --model-file to evaluate a saved model, or --target to cross-validate") }
        guard folds >= 2 else { throw TabularError("--folds \(folds): need at least 2") }
        let ds = try Datasource.load(path: file, target: target, schemaPath: schemaPath, exclude: columnNames(exclude))
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
        print("fold AUC: \(report.foldAUC.map { formatDecimal($0) }.joined(separator: " "))")
        print("mean AUC \(formatDecimal(report.meanAUC, 4))  pooled out-of-fold AUC \(formatDecimal(report.pooledAUC, 4))  training time \(formatDecimal(report.trainSeconds, 2)) s")
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
        m.printReport(title: "\(path) on \(file): \(y.count) labelled rows, threshold \(formatDecimal(threshold))", positive: model.positiveLabel)
    }
}
