import Foundation
import Testing
import TestSupport

/// `inspect survival` and `inspect tabular predict` with the shipped survival model, run as a
/// user runs them: the same passengers are refused, and the same ones get the same score.
@Suite struct SurvivalCommandTests {
    private func inspect(_ arguments: [String]) throws -> InspectBinary.Run {
        try InspectBinary.run(arguments + ["--models", TestPaths.models.path])
    }

    @Test func missingRequiredFieldsAreAUsageErrorNamingThem() throws {
        let none = try inspect(["survival"])
        #expect(none.status == 64, "\(none.stdout)")
        #expect(none.stderr.contains("missing required fields: age, sex"), "\(none.stderr)")
        let set = try inspect(["tabular", "predict", "--set", "pclass=1"])
        #expect(set.status == 64)
        #expect(set.stderr.contains("missing required fields: age, sex"), "\(set.stderr)")
    }

    @Test func unseenValuesAreRefusedNotScored() throws {
        let flag = try inspect(["survival", "--age", "30", "--sex", "unknown"])
        #expect(flag.status == 64)
        #expect(flag.stderr.contains("sex 'unknown': expected male or female"), "\(flag.stderr)")
        let set = try inspect(["tabular", "predict", "--set", "age=30", "--set", "sex=unknown"])
        #expect(set.status == 64)
        #expect(set.stderr.contains("sex 'unknown'"), "\(set.stderr)")
    }

    @Test func unseenValuesAreRefusedWithAModelFileToo() throws {
        let modelFile = TestPaths.models.appendingPathComponent("titanic-survival.json").path
        let set = try inspect(["tabular", "predict", "--model-file", modelFile, "--set", "age=30", "--set", "sex=unknown"])
        #expect(set.status == 64, "\(set.stdout)")
        #expect(set.stderr.contains("column 'sex': 'unknown' is not a value the model was trained on"), "\(set.stderr)")
        let spelled = try inspect(["tabular", "predict", "--model-file", modelFile, "--set", "age=30", "--set", "sex=Male"])
        #expect(spelled.status == 64 && spelled.stderr.contains("did you mean 'male'?"), "\(spelled.stderr)")

        let file = NSTemporaryDirectory() + "passengers-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "age,sex,pclass,embarked\n30,female,1,C\n40,unknown,2,S\n".write(toFile: file, atomically: true, encoding: .utf8)
        let run = try inspect(["tabular", "predict", "--model-file", modelFile, file])
        #expect(run.status == 1, "\(run.stderr)")
        let rows = run.stdout.split(separator: "\n").map(String.init)
        #expect(rows.count == 3 && rows[2].contains("row 2: column 'sex': 'unknown'"), "\(run.stdout)")
        #expect(rows.count == 3 && rows[1].hasSuffix(","), "the good row has an empty error cell: \(run.stdout)")
    }

    @Test func tabularTrainTakesFamilyAndTheFormerModelSpellingHidden() throws {
        let help = try InspectBinary.run(["tabular", "train", "--help"])
        #expect(help.stdout.contains("--family"), "\(help.stdout)")
        #expect(!help.stdout.contains("--model <"), "\(help.stdout)")
        // One default per option: a help text that states its default gets no second one.
        for command in [["score"], ["train"], ["serve"], ["images", "check"], ["faces"], ["tabular", "train"], ["tabular", "evaluate"]] {
            let text = try InspectBinary.run(command + ["--help"]).stdout
            let options = text.components(separatedBy: "\n  -").dropFirst()
            for option in options {
                #expect(option.components(separatedBy: "(default:").count <= 2, "\(command): \(option)")
            }
        }
        let both = try InspectBinary.run(["tabular", "train", "x.csv", "--target", "y", "--family", "trees", "--model", "logistic"])
        #expect(both.status == 64 && both.stderr.contains("--family"), "\(both.stderr)")
    }

    @Test func aBadRowGetsAnErrorRowAndTheOthersAreScoredAsTheOtherPathsScoreThem() throws {
        let file = NSTemporaryDirectory() + "passengers-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "PassengerId,Name,Age,Sex,Pclass,Embarked\n1,Ann,30,female,1,C\n2,Bob,,male,3,S\n3,Cid,40,unknown,2,S\n4,Dan,28,male,3,S\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let run = try inspect(["tabular", "predict", file])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("2 of 4 rows could not be scored"), "\(run.stderr)")
        let rows = run.stdout.split(separator: "\n").map(String.init)
        #expect(rows.count == 5, "\(run.stdout)")
        #expect(rows.first?.hasSuffix(",bestAnswer,score,error") == true, "\(run.stdout)")
        #expect(rows[2].contains("row 2: missing required field: age"), "\(rows[2])")
        #expect(rows[3].contains("row 3: sex 'unknown'"), "\(rows[3])")

        // Ann and Dan: the file's score is the one --set and `inspect survival` give.
        for (row, fields) in [(rows[1], ["age": "30", "sex": "female", "pclass": "1", "embarked": "C"]),
                              (rows[4], ["age": "28", "sex": "male", "pclass": "3", "embarked": "S"])] {
            let fileScore = try #require(row.split(separator: ",", omittingEmptySubsequences: false).dropLast().last.flatMap { Double($0) })
            let survival = try inspect(["survival", "--json"] + fields.sorted { $0.key < $1.key }.flatMap { ["--\($0.key)", $0.value] })
            let set = try inspect(["tabular", "predict", "--json"] + fields.sorted { $0.key < $1.key }.flatMap { ["--set", "\($0.key)=\($0.value)"] })
            #expect(survival.status == 0 && set.status == 0, "\(survival.stderr) \(set.stderr)")
            #expect(survival.stdout == set.stdout)
            let object = try JSONSerialization.jsonObject(with: Data(survival.stdout.utf8)) as? [String: Any]
            let score = try #require(((object?["Prediction"] as? [String: Any])?["predictedScores"] as? [String: Double])?["1"])
            #expect(abs(score - fileScore) <= 1e-6, "the file prints 6 decimals: \(score) vs \(fileScore)")
        }
    }
}
