import Foundation
import Tabular

/// Every model the service answers with, loaded once at start.
public struct ModelCatalog: Sendable {
    public var survival: TabularModel
    public var survivalName = "titanic-survival"

    public init(survival: TabularModel) {
        self.survival = survival
    }

    /// Loads the shipped models from a Models directory; a broken or missing model is an
    /// error naming the file and the reason, so the server refuses to start.
    public static func load(modelsDirectory: URL) throws -> ModelCatalog {
        let survivalPath = modelsDirectory.appendingPathComponent("titanic-survival.json").path
        let survival: TabularModel
        do {
            survival = try TabularModel.load(path: survivalPath)
        } catch {
            throw CatalogError(description: "\(survivalPath): cannot load the survival model: \(error)")
        }
        return ModelCatalog(survival: survival)
    }

    /// `GET /v1/models`: one entry per model.
    var descriptions: [ModelDescription] {
        [ModelDescription(Name: survivalName, Kind: "survival", Version: survival.version, Created: survival.created,
                          Threshold: survival.threshold,
                          Metrics: ["AUC": survival.metrics.evaluation.auc, "Accuracy": survival.metrics.evaluation.accuracy,
                                    "F1": survival.metrics.evaluation.f1,
                                    "CrossValidationAUC": survival.metrics.crossValidation?.meanAUC]
                              .compactMapValues { $0 },
                          Details: ["features": survival.features.joined(separator: ","), "modelType": survival.kind.rawValue])]
    }
}

public struct CatalogError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

struct ModelDescription: Codable, Sendable {
    var Name: String
    var Kind: String
    var Version: Int
    var Created: String
    var Threshold: Double
    var Metrics: [String: Double]
    var Details: [String: String]
}

extension ModelCatalog {
    /// The names of every loaded model.
    public var names: [String] { descriptions.map(\.Name) }
}
