import Foundation

/// One version of a listed model with its card, or why the card cannot be read.
public struct ListedVersion: Sendable {
    public let version: ModelVersion
    public let card: Result<ModelCard, InspectionError>
}

/// A model with every version's card (for `inspect models` and the server's /v1/models).
public struct ListedModel: Sendable {
    public let model: StoredModelVersions
    public let versions: [ListedVersion]

    public init(_ model: StoredModelVersions) {
        self.model = model
        versions = model.versions.map { version in
            ListedVersion(version: version, card: Result<ModelCard, InspectionError>(catching: { () throws(InspectionError) -> ModelCard in
                try ModelBundle.readCard(version.path)
            }))
        }
    }
}

/// What a server loads from its model folders: the version each model serves, every model
/// with its versions, and everything that could not be loaded, each with its reason.
public struct ServedModels: Sendable {
    /// The served version of each model that loaded, in folder then name order.
    public var models: [StoredModel] = []
    public var listed: [ListedModel] = []
    public var broken: [BrokenModel] = []
}

extension ModelStore {
    /// Loads the served version (promoted, else newest) of every model in the folders, in
    /// order; nothing stops the others from loading. A model whose name an earlier folder
    /// already has, a model folder that cannot be read, a served version that does not load
    /// and another version whose card is broken are each listed in `broken` with the reason.
    /// A version in `reusing` at the same path with the same card on disk is taken as it is
    /// (versions are never rewritten, so its weights need not be read and checked again);
    /// models of the same backbone share one instance of it.
    public static func loadServed(in folders: [String], reusing: [StoredModel] = [],
                                  modelsDirectory: () throws -> String) -> ServedModels {
        var extractors: [String: FeatureExtractor] = [:]
        for model in reusing { extractors[model.card.backbone.name] = model.model.extractor }
        let previous = Dictionary(reusing.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        var served = ServedModels()
        var seen: [String: String] = [:]
        for folder in folders {
            let found = Self.listing(of: folder)
            served.broken += found.problems
            for model in found.models {
                if let first = seen[model.name] {
                    served.broken.append(BrokenModel(name: model.name, version: nil, path: model.folder,
                                                     error: "two inspection models are called '\(model.name)': \(first) (served) and \(model.folder)"))
                    continue
                }
                seen[model.name] = model.folder
                let listed = ListedModel(model)
                served.listed.append(listed)
                for entry in listed.versions where entry.version != model.served {
                    if case .failure(let error) = entry.card {
                        served.broken.append(BrokenModel(name: model.name, version: entry.version.number, path: entry.version.path, error: error.description))
                    }
                }
                guard let version = model.served else { continue }
                if let old = previous[version.path], case .success(let card) = listed.versions.first(where: { $0.version == version })?.card,
                   card == old.card, old.version == version.number, old.name == version.name {
                    served.models.append(old)
                    continue
                }
                do {
                    served.models.append(try Self.load(version, extractors: &extractors, modelsDirectory: modelsDirectory))
                } catch {
                    served.broken.append(BrokenModel(name: model.name, version: version.number, path: version.path, error: error.description))
                }
            }
        }
        return served
    }
}
