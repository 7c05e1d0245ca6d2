import Faces
import Foundation
import Imaging
import Inspection
import Tabular

/// Every model the service answers with: the shipped survival and face models from the Models
/// directory, loaded once at start, and the inspection models: the served version of every
/// model found directly under the Models directory or the model store (`ModelStore`), which a
/// reload replaces (`reloadingInspection`). A model that does not load is listed in `broken`
/// with its reason while the others serve.
public struct ModelCatalog: Sendable {
    public var survival: TabularModel
    public var survivalName = "titanic-survival"
    public var faces: FaceAnalyzer?
    public var inspection: [LoadedInspectionModel] = []
    /// Inspection models, or versions, that could not be loaded, with the reason.
    public var broken: [BrokenModel] = []
    /// Every inspection model found, with every version (served or not).
    var listed: [ListedModel] = []
    /// Where the inspection models come from, for reloads (nil: given by the embedding program).
    public var inspectionSource: InspectionSource?
    var faceDescriptions: [ModelDescription] = []
    /// Where each model was loaded from, by name (`ModelCatalog.load` fills it in).
    var origins: [String: String] = [:]

    public init(survival: TabularModel, faces: FaceAnalyzer? = nil, inspection: [LoadedInspectionModel] = []) {
        self.survival = survival
        self.faces = faces
        self.inspection = inspection
    }

    /// Loads everything. A missing or broken shipped model is an error naming the file and the
    /// reason (the server refuses to start); a broken inspection model is listed in `broken`.
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
        catalog.origins[catalog.survivalName] = "Models directory, \(survivalPath)"
        for face in catalog.faceDescriptions { catalog.origins[face.Name] = "Models directory, \(modelsDirectory.path)" }
        return catalog.loadingInspection(from: InspectionSource(modelsDirectory: modelsDirectory, folders: [modelsDirectory] + bundleFolders))
    }

    /// This catalog with its inspection models loaded afresh from `source`: the served version
    /// of every model; versions already loaded and unchanged on disk are kept as they are.
    public func loadingInspection(from source: InspectionSource) -> ModelCatalog {
        let current = inspection.map { StoredModel(name: $0.name, version: $0.version, path: $0.path, model: $0.model, card: $0.card) }
        let served = ModelStore.loadServed(in: source.folders.map(\.path), reusing: current) { source.modelsDirectory.path }
        var catalog = self
        for old in inspection { catalog.origins[old.name] = nil }
        let kept = Dictionary(inspection.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        catalog.inspection = served.models.map { stored in
            kept[stored.path].flatMap { $0.card == stored.card && $0.version == stored.version ? $0 : nil } ?? LoadedInspectionModel(stored)
        }
        catalog.broken = served.broken
        catalog.listed = served.listed
        catalog.inspectionSource = source
        let modelsFolder = source.modelsDirectory.standardizedFileURL.path
        for model in catalog.inspection {
            let folder = URL(fileURLWithPath: model.path).standardizedFileURL.path
            catalog.origins[model.name] = (folder.hasPrefix(modelsFolder + "/") ? "Models directory, " : "model store, ") + "v\(model.version), " + model.path
        }
        return catalog
    }

    /// The same catalog with its inspection models reloaded from where they came from; nil
    /// when they were given by the embedding program (nothing to reload from).
    public func reloadingInspection() -> ModelCatalog? {
        inspectionSource.map { loadingInspection(from: $0) }
    }

    /// `GET /v1/models`: one entry per model.
    var descriptions: [ModelDescription] {
        let evaluation = survival.metrics.evaluation
        let survivalEntry = ModelDescription(
            Name: survivalName, Kind: "survival", Version: survival.version, Created: survival.created, Threshold: survival.threshold,
            Metrics: ["AUC": evaluation.auc, "Accuracy": evaluation.accuracy, "F1": evaluation.f1,
                      "CrossValidationAUC": survival.metrics.crossValidation?.meanAUC].compactMapValues { $0 },
            Details: ["features": survival.features.joined(separator: ","), "modelType": survival.kind.rawValue])
        return [survivalEntry] + faceDescriptions + inspection.map { loaded in
            var entry = loaded.description
            entry.Versions = listed.first { $0.model.name == loaded.name }.map { Self.versionDescriptions($0, served: loaded.version) }
            return entry
        }
    }

    /// Every version of a listed model, the served one marked.
    static func versionDescriptions(_ listed: ListedModel, served: Int) -> [VersionDescription] {
        listed.versions.map { entry in
            let card = try? entry.card.get()
            return VersionDescription(Version: entry.version.number, Served: entry.version.number == served,
                                      Promoted: listed.model.promoted == entry.version.number, Created: card?.created,
                                      Photos: card.map { $0.trainingData?.photos ?? $0.classBalance.good + $0.classBalance.anomalous },
                                      Metrics: card?.keyMetrics, Error: entry.card.failureDescription)
        }
    }

    /// `GET /v1/models`.
    var listing: ModelListing { ModelListing(Models: descriptions, Broken: broken.map(BrokenDescription.init)) }
}

/// Where a catalog's inspection models are loaded from: the model folders, in order (the
/// Models directory, then the store), and the Models directory for the backbones' weights.
public struct InspectionSource: Sendable {
    public var modelsDirectory: URL
    public var folders: [URL]

    public init(modelsDirectory: URL, folders: [URL]) {
        self.modelsDirectory = modelsDirectory
        self.folders = folders
    }
}

/// An inspection model version ready to score. The model scores from one thread at a time.
public final class LoadedInspectionModel: @unchecked Sendable {
    public let name: String
    public let version: Int
    public let path: String
    public let model: InspectionModel
    public let card: ModelCard
    private let lock = NSLock()

    public init(name: String, version: Int = 1, path: String, model: InspectionModel, card: ModelCard) {
        self.name = name
        self.version = version
        self.path = path
        self.model = model
        self.card = card
    }

    public convenience init(_ stored: StoredModel) {
        self.init(name: stored.name, version: stored.version, path: stored.path, model: stored.model, card: stored.card)
    }

    /// Scores RGB images already at the model's input size, in one batched pass.
    func inspect(_ resized: [Image]) -> [InspectionResult] {
        if resized.isEmpty { return [] }
        return lock.withLock { model.inspect(resized) }
    }

    /// The /v1/models entry: `Version` is the served model version (the card's format
    /// version is `Details.formatVersion`).
    var description: ModelDescription {
        ModelDescription(Name: name, Kind: "inspection", Version: version, Created: card.created, Threshold: Double(card.threshold),
                         Metrics: card.keyMetrics,
                         Details: ["backbone": card.backbone.name, "inputSize": card.inputSize.description,
                                   "thresholdMethod": card.thresholdMethod, "evaluatedOn": card.evaluatedOn, "scoring": card.scoring,
                                   "goodImages": String(card.classBalance.good), "anomalousImages": String(card.classBalance.anomalous),
                                   "formatVersion": String(card.version), "trainingDataSHA256": card.trainingData?.sha256].compactMapValues { $0 })
    }
}

extension ModelCard {
    /// AUROC, precision, recall and F1 on the evaluation set, those that are defined.
    var keyMetrics: [String: Double] {
        guard let m = trainingMetrics else { return [:] }
        return ["AUROC": m.auroc, "Precision": m.precision, "Recall": m.recall, "F1": m.f1].compactMapValues { $0 }
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
    /// Inspection models: every version, which one is served and which is promoted.
    var Versions: [VersionDescription]? = nil
}

/// One version of an inspection model in /v1/models.
struct VersionDescription: Codable, Sendable {
    var Version: Int
    var Served: Bool
    var Promoted: Bool
    var Created: String?
    var Photos: Int?
    var Metrics: [String: Double]?
    var Error: String?
}

/// A model or version that could not be loaded, in /v1/models and the reload answer.
public struct BrokenDescription: Codable, Sendable, Equatable {
    public var Name: String
    public var Version: Int?
    public var Error: String

    init(_ broken: BrokenModel) {
        Name = broken.name
        Version = broken.version
        Error = broken.error
    }
}

/// `GET /v1/models`: the models served, then what could not be loaded.
struct ModelListing: Codable, Sendable {
    var Models: [ModelDescription]
    var Broken: [BrokenDescription]
}

extension ModelCatalog {
    /// The names of every loaded model.
    public var names: [String] { descriptions.map(\.Name) }

    /// One line per inspection model or version that could not be loaded, with the reason.
    public var brokenLines: [String] {
        broken.map { "\($0.label) (\($0.path)): \($0.error)" }
    }

    /// One line per model: its name and where it was loaded from (the Models directory or the
    /// model store, and the path), for the startup message.
    public var sources: [String] {
        names.map { name in "\(name): \(origins[name] ?? inspection.first { $0.name == name }?.path ?? "given by the program embedding the service")" }
    }
}

extension Result where Failure == InspectionError {
    /// The error's text, nil on success.
    var failureDescription: String? {
        if case .failure(let error) = self { return error.description }
        return nil
    }
}
