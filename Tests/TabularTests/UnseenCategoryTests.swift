import Foundation
import Testing
import Tabular

/// A category value the training rows never held is refused by every prediction path, with
/// the column, the value and the known values; a value seen too rarely to get its own level
/// is still scored (as the rare level it was trained into).
@Suite struct UnseenCategoryTests {
    static let model = Result { () throws -> TabularModel in
        let rows = (0..<120).map { i -> [String] in
            // Green 4 times (under the 5 a level needs), so it is seen but rare.
            let colour = i % 30 == 0 ? "green" : (i % 2 == 0 ? "red" : "blue")
            let label = (i % 7 >= 3) != (i % 4 == 0)
            return [colour, String(i % 7), label ? "1" : "0"]
        }
        let table = CSVTable(header: ["colour", "size", "label"], rows: rows, source: "generated")
        let schema = try SchemaInference.infer(table, target: "label", rowId: nil, exclude: [])
        // Every row trains, so each of the four green rows is among the rows the recipe saw.
        var options = TrainingOptions()
        options.trainFraction = 1
        return try Trainer.train(try Datasource(table: table, schema: schema), options: options, datasetSHA256: "").0
    }

    @Test func unseenValuesAreRefusedAndRareOnesScored() throws {
        let model = try Self.model.get()
        #expect(try model.predict(["colour": "green", "size": "3"]).Prediction.predictedScores["1"] != nil)
        #expect { try model.predict(["colour": "purple", "size": "3"]) } throws: { error in
            "\(error)" == "column 'colour': 'purple' is not a value the model was trained on; expected one of blue, green, red"
        }
        #expect { try model.predict(["colour": "Red"]) } throws: { "\($0)".contains("did you mean 'red'?") }
        // Missing is not unseen.
        #expect(try model.predict(["size": "3"]).Prediction.predictedScores["1"] != nil)

        let table = CSVTable(header: ["colour", "size"], rows: [["red", "1"], ["purple", "2"], ["", "3"]], source: "new.csv")
        let rows = try model.predictEachRow(table: table)
        #expect(rows.map { if case .success = $0 { true } else { false } } == [true, false, true])
        if case .failure(let error) = rows[1] { #expect(error.message.hasPrefix("new.csv: row 2: column 'colour': 'purple'")) }
        // Evaluation scores them as the rare level.
        #expect(try model.predict(table: table).count == 3)
    }
}
