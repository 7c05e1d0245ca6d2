import Foundation
import Server
import Tabular

/// Models for tests of the service's own behaviour (routes, errors, limits, metrics, capture),
/// which need a model to answer but not the shipped ones: a survival model trained here on
/// generated passengers, and no face models (their routes are then not registered).
enum StubCatalog {
    /// 200 generated passengers with the shipped model's columns: women, children and first
    /// class mostly survive; every ninth label is flipped so no feature separates perfectly.
    static func passengers() -> CSVTable {
        let ports = ["S", "C", "Q"]
        let rows = (0..<200).map { i -> [String] in
            let female = i % 2 == 0
            let pclass = 1 + (i / 2) % 3
            let age = 2 + (i * 7) % 70
            var survived = (female && pclass < 3) || age < 10 || (pclass == 1 && i % 3 == 0)
            if i % 9 == 0 { survived.toggle() }
            return [String(age), female ? "female" : "male", String(pclass), ports[(i / 6) % 3], survived ? "1" : "0"]
        }
        return CSVTable(header: SurvivalInput.fieldNames + ["survived"], rows: rows, source: "generated passengers")
    }

    /// The stub survival model, trained once (logistic regression, the default recipe).
    static let survival = Result { () throws -> TabularModel in
        let table = passengers()
        let schema = try SchemaInference.infer(table, target: "survived", rowId: nil, exclude: [])
        let data = try Datasource(table: table, schema: schema)
        return try Trainer.train(data, options: TrainingOptions(), datasetSHA256: "").0
    }

    /// A catalog with the stub survival model and the given inspection models.
    static func catalog(inspection: [LoadedInspectionModel] = []) throws -> ModelCatalog {
        ModelCatalog(survival: try survival.get(), inspection: inspection)
    }
}
