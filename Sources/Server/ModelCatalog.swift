import Faces
import Foundation
import Imaging
import Inspection
import Tabular

/// Every model the service answers with, loaded once at start: the shipped survival and face
/// models from the Models directory, and every inspection bundle (a folder with model.json)
/// found directly under the Models directory or the given bundle folders (`ModelStore`).
public struct ModelCatalog: Sendable {
    public var survival: TabularModel
    public var survivalName = "titanic-survival"
    public var faces: FaceAnalyzer?
    public var inspection: [LoadedInspectionModel] = []
    var faceDescriptions: [ModelDescription] = []
    /// Where each model was loaded from, by name (`ModelCatalog.load` fills it in).
    var origins: [String: String] = [:]

    public init(survival: TabularModel, faces: FaceAnalyzer? = nil, inspection: [LoadedInspectionModel] = []) {
        self.survival = survival
        self.faces = faces
        self.inspection = inspection
    }

    /// Loads everything; a missing or broken model is an error naming the file and the reason,
    /// so the server refuses to start rather than answer with part of its models.
    public static func load(modelsDirectory: URL, bundleFolders: [URL] = []) throws -> ModelCatalog {
        let survivalPath = modelsDirectory.appendingPathComponent(SurvivalInput.modelFile).path
        let survival: TabularModel
        do { survival = try TabularModel.load(path: survivalPath) } catch {
            throw CatalogError(description: "\(survivalPath): cannot load the survival model: \(error)")
        }
        let faces: FaceAnalyzer
        do { faces = try FaceAnalyzer(modelsDirectory: modelsDirectory) } catch {
            throw CatalogError(description: "cannot load the face models: \(error)")
        }
        var catalog = ModelCatalog(survival: survival, faces: faces)
        do {
            catalog.faceDescriptions = try FaceAnalyzer.cardNames.map { name in
                describeFaceCard(try FaceModelCard.read(directory: modelsDirectory, name: name),
                                 file: modelsDirectory.appendingPathComponent(name + ".json"))
            }
        } catch {
            throw CatalogError(description: "cannot read the face model cards: \(error)")
        }
        catalog.inspection = try ModelStore.loadBundles(in: ([modelsDirectory] + bundleFolders).map(\.path)) { modelsDirectory.path }
            .map { LoadedInspectionModel($0) }
        catalog.origins[catalog.survivalName] = "Models directory, \(survivalPath)"
        for face in catalog.faceDescriptions { catalog.origins[face.Name] = "Models directory, \(modelsDirectory.path)" }
        let modelsFolder = modelsDirectory.standardizedFileURL.path
        for model in catalog.inspection {
            let folder = URL(fileURLWithPath: model.path).standardizedFileURL.deletingLastPathComponent().path
            catalog.origins[model.name] = (folder == modelsFolder ? "Models directory, " : "model store, ") + model.path
        }
        return catalog
    }

    /// `GET /v1/models`: one entry per model.
    var descriptions: [ModelDescription] {
        let evaluation = survival.metrics.evaluation
        let survivalEntry = ModelDescription(
            Name: survivalName, Kind: "survival", Version: survival.version, Created: survival.created, Threshold: survival.threshold,
            Metrics: ["AUC": evaluation.auc, "Accuracy": evaluation.accuracy, "F1": evaluation.f1,
                      "CrossValidationAUC": survival.metrics.crossValidation?.meanAUC].compactMapValues { $0 },
            Details: ["features": survival.features.joined(separator: ","), "modelType": survival.kind.rawValue])
        return [survivalEntry] + faceDescriptions + inspection.map(\.description)
    }
}

/// An inspection bundle ready to score. The model scores from one thread at a time.
public final class LoadedInspectionModel: @unchecked Sendable {
    public let name: String
    public let path: String
    public let model: InspectionModel
    public let card: ModelCard
    private let lock = NSLock()

    public init(name: String, path: String, model: InspectionModel, card: ModelCard) {
        self.name = name
        self.path = path
        self.model = model
        self.card = card
    }

    public convenience init(_ stored: StoredModel) {
        self.init(name: stored.name, path: stored.path, model: stored.model, card: stored.card)
    }

    /// Scores one RGB image already at the model's input size.
    func inspect(_ resized: Image) -> InspectionResult {
        lock.withLock { model.inspect([resized])[0] }
    }

    var description: ModelDescription {
        var metrics: [String: Double] = [:]
        if let m = card.trainingMetrics {
            metrics = ["AUROC": m.auroc, "Precision": m.precision, "Recall": m.recall, "F1": m.f1].compactMapValues { $0 }
        }
        return ModelDescription(Name: name, Kind: "inspection", Version: card.version, Created: card.created, Threshold: Double(card.threshold),
                                Metrics: metrics,
                                Details: ["backbone": card.backbone.name, "inputSize": card.inputSize.description,
                                          "thresholdMethod": card.thresholdMethod, "evaluatedOn": card.evaluatedOn, "scoring": card.scoring,
                                          "goodImages": String(card.classBalance.good), "anomalousImages": String(card.classBalance.anomalous)])
    }
}

extension FaceAnalyzer {
    /// The shipped face model cards, in pipeline order.
    static let cardNames = ["face-detector", "face-landmarks", "face-age", "face-gender"]
}

/// A face model's card as a /v1/models entry: name, task, licence, source package and version;
/// created is the card file's modification time.
func describeFaceCard(_ card: FaceModelCard, file: URL) -> ModelDescription {
    let created = (try? FileManager.default.attributesOfItem(atPath: file.path)[.modificationDate] as? Date)
        .map { ISO8601DateFormatter().string(from: $0) }
    return ModelDescription(Name: card.name, Kind: "faces", Version: 1, Created: created, Threshold: nil, Metrics: [:],
                            Details: ["task": card.task, "license": card.license,
                                      "source": card.source.map { "\($0.package ?? "?") \($0.version ?? "")" }].compactMapValues { $0 })
}

public struct CatalogError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

struct ModelDescription: Codable, Sendable {
    var Name: String
    var Kind: String
    var Version: Int
    var Created: String?
    var Threshold: Double?
    var Metrics: [String: Double]
    var Details: [String: String]
}

extension ModelCatalog {
    /// The names of every loaded model.
    public var names: [String] { descriptions.map(\.Name) }

    /// One line per model: its name and where it was loaded from (the Models directory or the
    /// model store, and the path), for the startup message.
    public var sources: [String] {
        names.map { name in "\(name): \(origins[name] ?? inspection.first { $0.name == name }?.path ?? "given by the program embedding the service")" }
    }
}
