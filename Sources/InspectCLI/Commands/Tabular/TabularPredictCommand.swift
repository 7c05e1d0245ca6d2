import ArgumentParser
import Foundation
import Tabular

/// `inspect tabular predict`: a saved model's predictions, a CSV in and a CSV out, or one row.
struct TabularPredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict with a saved model: a CSV in and a CSV out, or one row with --set.",
        discussion: """
            Without --model-file, uses the shipped survival model Models/titanic-survival.json, \
            whose passengers are checked as `inspect survival` and the HTTP API check them (age \
            and sex required, known values only). A row that cannot be scored gets an error row \
            (CSV column "error", JSON "Error") and the others are still scored. Exit status: 0 \
            every row scored; 1 some rows could not be; 64 a --set row that cannot be scored.
            """)
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
        let p: PredictResponse
        do {
            p = try predict(model, row: { column in row.first { $0.key.lowercased() == column.lowercased() }?.value }, fields: row)
        } catch {
            printError("\(error)")
            throw ExitCode.validationFailure
        }
        if json { print(p.jsonString(pretty: true)) } else { printPrediction(p, model: model) }
    }

    /// One row's prediction. The shipped survival model takes a passenger read as the HTTP
    /// API reads one (`SurvivalInput`); another model takes the row as it is.
    private func predict(_ model: TabularModel, row value: (String) -> String?, fields: [String: String]) throws -> PredictResponse {
        guard modelFile == nil else { return try model.predict(fields, threshold: threshold) }
        let passenger = try SurvivalInput(row: value).readyToPredict()
        return try model.predict(passenger.row, threshold: threshold)
    }

    /// Each row's prediction or the error naming the row.
    private func predictRows(_ model: TabularModel, _ table: CSVTable, threshold t: Double) throws -> [Result<BatchPrediction, TabularError>] {
        guard modelFile == nil else { return try model.predictEachRow(table: table, threshold: t) }
        return table.rows.enumerated().map { i, cells in
            func value(_ column: String) -> String? {
                table.header.firstIndex { $0.trimmingCharacters(in: .whitespaces).lowercased() == column.lowercased() }.map { cells[$0] }
            }
            do {
                let p = try predict(model, row: value, fields: [:])
                let score = p.Prediction.predictedScores["1"] ?? 0
                return .success(BatchPrediction(row: i, score: score, bestAnswer: score >= t ? 1 : 0))
            } catch {
                return .failure(TabularError("\(table.source): row \(i + 1): \(error)"))
            }
        }
    }

    func predictFile(_ model: TabularModel, _ file: String) throws {
        let table = try CSVReader.read(path: file)
        let t = threshold ?? model.threshold
        let results = try predictRows(model, table, threshold: t)
        let errors = results.count { if case .failure = $0 { true } else { false } }
        defer {
            if errors > 0 { FileHandle.standardError.write(Data("\(errors) of \(results.count) rows could not be scored\n".utf8)) }
        }
        if json {
            for (i, result) in results.enumerated() {
                switch result {
                case .success(let p): print(PredictResponse(score: p.score, threshold: t).jsonString())
                case .failure(let error): print(jsonLine(["Row": i + 1, "Error": error.message]))
                }
            }
            if errors > 0 { throw ExitCode.failure }
            return
        }
        // Amazon ML batch output: the row ID (or every input column), then bestAnswer and
        // score; an error column when some rows could not be scored.
        let idColumn = model.schema.rowId.flatMap { id in table.header.firstIndex(of: id) }
        let header = (idColumn.map { [table.header[$0]] } ?? table.header) + ["bestAnswer", "score"] + (errors > 0 ? ["error"] : [])
        let rows = results.enumerated().map { i, result in
            let leading = idColumn.map { [table.rows[i][$0]] } ?? table.rows[i]
            switch result {
            case .success(let p): return leading + ["\(p.bestAnswer)", String(format: "%.6f", p.score)] + (errors > 0 ? [""] : [])
            case .failure(let error): return leading + ["", "", error.message]
            }
        }
        let text = CSVReader.format(header: header, rows: rows)
        if let output {
            do { try text.write(toFile: output, atomically: true, encoding: .utf8) }
            catch { throw TabularError("\(output): cannot write the predictions (\(error.localizedDescription))") }
            FileHandle.standardError.write(Data("\(results.count - errors) predictions written to \(output)\n".utf8))
        } else {
            print(text, terminator: "")
        }
        if errors > 0 { throw ExitCode.failure }
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
