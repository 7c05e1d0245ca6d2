import ArgumentParser
import Foundation
import Tabular

/// `inspect tabular predict`: a saved model's predictions, a CSV in and a CSV out, or one row.
struct TabularPredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict with a saved model: a CSV in and a CSV out, or one row with --set.",
        discussion: "Without --model-file, uses the shipped survival model Models/titanic-survival.json.")
    @Argument(help: "CSV file to score (omit to give one row with --set).") var file: String?
    @Option(help: "Saved model JSON.") var modelFile: String?
    @OptionGroup var models: ModelsOption
    @Option(name: .customLong("set"), help: "One field of a single row, as column=value (repeatable).") var fields: [String] = []
    @Option(name: .shortAndLong, help: "Write the predictions CSV here (default: stdout).") var output: String?
    @Option(help: "Score threshold (default: the model's).") var threshold: Double?
    @Flag(help: "Print the Amazon ML Predict JSON (one object per line for a CSV).") var json = false

    func run() throws {
        let model = try TabularModel.load(file: modelFile, models: models)
        if let file {
            guard fields.isEmpty else { throw TabularError("give a CSV file or --set fields, not both") }
            try predictFile(model, file)
            return
        }
        guard !fields.isEmpty else { throw TabularError("give a CSV file to score, or one row as --set column=value ...") }
        let row = try Self.parseFields(fields)
        let p = try model.predict(row, threshold: threshold)
        if json { print(p.jsonString(pretty: true)) } else { printPrediction(p, model: model) }
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

    /// `column=value` pairs into a dictionary; the error names the malformed one.
    static func parseFields(_ fields: [String]) throws -> [String: String] {
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
        print("predicted \(model.target) = \(label) (label \(p.Prediction.predictedLabel)): score \(formatDecimal(score)) against threshold \(formatDecimal(p.Prediction.details.Threshold))")
    }
}
