import ArgumentParser
import Checksums
import Foundation
import Tabular

/// `inspect tabular train FILE`: a binary model on a seeded 70/30 split, metrics on the 30%.
struct TabularTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train a binary model on a CSV file (seeded 70/30 split; metrics on the 30%).")
    @Argument(help: "Training CSV file.") var file: String
    @OptionGroup var data: TabularDataOptions
    @OptionGroup var modelOptions: TabularModelOptions
    @OptionGroup var thresholdOptions: TabularThresholdOptions
    @Option(name: .shortAndLong, help: "Where to write the model JSON.") var output: String = "tabular-model.json"
    @Option(help: "Also cross-validate the configuration with k folds on all rows and record it in the model.") var cv: Int?
    @Option(help: "Where the data came from, recorded in the model's provenance.") var datasetSource: String?
    @Flag(help: "Print the training report as JSON.") var json = false

    func run() throws {
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
        report.evaluation.printReport(title: "evaluation on \(report.evaluationRows) held-back rows (trained on \(report.trainRows)), threshold \(formatDecimal(report.evaluation.threshold)) (\(report.thresholdRule))", positive: ds.positiveLabel)
        print("training time: \(formatDecimal(report.trainSeconds, 2)) s")
        if let c = model.metrics.crossValidation {
            print("\(c.folds)-fold cross-validated AUC on all \(ds.labels.count) rows: mean \(formatDecimal(c.meanAUC, 4)), pooled \(formatDecimal(c.pooledAUC, 4))")
        }
        print("model written to \(output)")
    }
}
