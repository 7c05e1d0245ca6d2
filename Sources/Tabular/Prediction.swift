import Foundation

/// Amazon ML Predict response: {"Prediction": {"predictedLabel": "1", "predictedScores": {"1": 0.73},
/// "details": {"PredictiveModelType": "BINARY", "Threshold": 0.5}}}.
public struct PredictResponse: Codable, Sendable, Equatable {
    public var Prediction: PredictionBody
}

public struct PredictionBody: Codable, Sendable, Equatable {
    public var predictedLabel: String
    public var predictedScores: [String: Double]
    public var details: PredictionDetails
}

public struct PredictionDetails: Codable, Sendable, Equatable {
    public var PredictiveModelType: String
    public var Threshold: Double
}

extension PredictResponse {
    public init(score: Double, threshold: Double) {
        Prediction = PredictionBody(predictedLabel: score >= threshold ? "1" : "0", predictedScores: ["1": score],
                                    details: PredictionDetails(PredictiveModelType: "BINARY", Threshold: threshold))
    }

    public func jsonString(pretty: Bool = false) -> String {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys] : [.sortedKeys]
        return (try? e.encode(self)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
    }
}

/// One row of a batch prediction (Amazon ML batch output: bestAnswer and score).
public struct BatchPrediction: Sendable {
    public var row: Int
    public var score: Double
    public var bestAnswer: Int

    public init(row: Int, score: Double, bestAnswer: Int) {
        self.row = row
        self.score = score
        self.bestAnswer = bestAnswer
    }
}

extension TabularModel {
    /// Every column name the model knows: its features and the rest of its training file.
    public var knownColumns: [String] { schema.attributes.map(\.attributeName) }

    /// Predicts one row given as column -> value (any letter case). Absent features count as
    /// missing; a key that is not a column of the model's data, or a category value the
    /// training rows never held, is an error naming it.
    public func predict(_ fields: [String: String], threshold override: Double? = nil) throws -> PredictResponse {
        var values: [String: String] = [:]
        for (key, value) in fields {
            guard let column = knownColumns.first(where: { $0 == key }) ?? knownColumns.first(where: { $0.lowercased() == key.lowercased() }) else {
                throw TabularError("unknown field '\(key)': the model's features are \(features.joined(separator: ", "))")
            }
            values[column] = value
        }
        try recipe.checkKnownCategories { values[$0] }
        let score = try self.score { values[$0] }
        return PredictResponse(score: score, threshold: override ?? threshold)
    }

    /// The probability of the positive class for one row, read through `value(column)`.
    public func score(_ value: (String) -> String?) throws -> Double {
        guard let predictor else { throw TabularError("the model has no parameters for kind '\(kind.rawValue)'") }
        let x = try recipe.transform(value)
        return predictor.probability(x[...])
    }

    /// Scores every row of a table, which must hold every feature column (checked by name
    /// first); the first row that cannot be scored is an error naming it.
    /// Evaluation scores category values unseen in training as the rare level they fall into.
    public func predict(table: CSVTable, threshold override: Double? = nil) throws -> [BatchPrediction] {
        try predictEachRow(table: table, threshold: override, allowUnseenCategories: true).map { try $0.get() }
    }

    /// Scores every row of a table, which must hold every feature column (checked by name
    /// first): each row's prediction, or the error naming the row, so one bad row does not
    /// stop the others. A category value the training rows never held is such an error unless
    /// `allowUnseenCategories`.
    public func predictEachRow(table: CSVTable, threshold override: Double? = nil,
                               allowUnseenCategories: Bool = false) throws -> [Result<BatchPrediction, TabularError>] {
        let needed = Set(recipe.columns.map(\.column) + recipe.crosses.flatMap(\.columns))
        var index: [String: Int] = [:]
        for c in needed.sorted() {
            guard let j = table.header.firstIndex(of: c) ?? table.header.firstIndex(where: { $0.lowercased() == c.lowercased() }) else {
                throw TabularError("\(table.source): missing column '\(c)' (the model needs \(features.joined(separator: ", ")); the file has \(table.header.joined(separator: ", ")))")
            }
            index[c] = j
        }
        let t = override ?? threshold
        return table.rows.enumerated().map { i, row in
            do {
                if !allowUnseenCategories { try recipe.checkKnownCategories { index[$0].map { row[$0] } } }
                let s = try score { index[$0].map { row[$0] } }
                return .success(BatchPrediction(row: i, score: s, bestAnswer: s >= t ? 1 : 0))
            } catch {
                return .failure(TabularError("\(table.source): row \(i + 1): \(error)"))
            }
        }
    }

    /// Reads the model's labels in a table's target column (for evaluation), nil where missing.
    public func labels(in table: CSVTable) throws -> [Int?] {
        let j = try table.columnIndex(target)
        return try table.column(j).enumerated().map { i, v in
            let t = v.trimmingCharacters(in: .whitespaces)
            if Missing.isMissing(t) { return nil }
            if t == positiveLabel || (BinaryValues.value(t) == 1 && BinaryValues.value(positiveLabel) == 1) { return 1 }
            if t == negativeLabel || (BinaryValues.value(t) == 0 && BinaryValues.value(negativeLabel) == 0) { return 0 }
            throw TabularError("\(table.source): row \(i + 1), column '\(table.header[j])': '\(v)' is neither '\(positiveLabel)' nor '\(negativeLabel)'")
        }
    }
}
