import Foundation

/// Where trained inspection models live, and how they are found and loaded: the one store
/// the command line and the HTTP server share.
///
/// The root is `--model-store DIR` when given, else the `INSPECT_MODEL_STORE` environment
/// variable, else `./trained-models`. A model NAME is the bundle folder ROOT/NAME/
/// (model.json + weights.safetensors); a path to a bundle folder (any folder holding a
/// model.json) is accepted wherever a name is.
public struct ModelStore: Sendable, Equatable {
    public static let environmentVariable = "INSPECT_MODEL_STORE"
    public static let defaultRoot = "trained-models"

    /// The store's folder (it need not exist yet: training creates it).
    public let root: String

    /// The store at `root` if given, else the one the environment names, else the default.
    public init(root: String?, environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let root {
            self.root = root
        } else if let named = environment[Self.environmentVariable], !named.isEmpty {
            self.root = named
        } else {
            self.root = Self.defaultRoot
        }
    }

    /// The bundle folder of a model name, or the path itself when it already is a bundle.
    public func bundlePath(_ nameOrPath: String) -> String {
        if Self.isBundle(nameOrPath) { return nameOrPath }
        return (root as NSString).appendingPathComponent(nameOrPath)
    }

    /// Loads a model by name or path, with the backbone its card names. `modelsDirectory` is
    /// asked only when that backbone has network weights to read.
    public func load(_ nameOrPath: String, modelsDirectory: () throws -> String) throws(InspectionError) -> StoredModel {
        let path = bundlePath(nameOrPath)
        guard FileManager.default.fileExists(atPath: path) else {
            throw InspectionError(nameOrPath, "no such model (looked for \(path); train one with `inspect train GOOD_DIR [BAD_DIR] --name \(nameOrPath)`)")
        }
        let card = try ModelBundle.readCard(path)
        let extractor = try Backbones.load(card.backbone.name, modelsDirectory: modelsDirectory)
        let (model, checked) = try ModelBundle.load(path, extractor: extractor)
        return StoredModel(name: (path as NSString).lastPathComponent, path: path, model: model, card: checked)
    }

    /// True when the folder holds a model card.
    public static func isBundle(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent(ModelBundle.cardFile))
    }

    /// The bundles directly inside a folder, named by their folder, in name order (none when
    /// the folder is missing or unreadable).
    public static func bundles(in folder: String) -> [(name: String, path: String)] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return entries.sorted().compactMap { entry in
            let path = (folder as NSString).appendingPathComponent(entry)
            return isBundle(path) ? (entry, path) : nil
        }
    }

    /// Loads every bundle directly inside the folders; the bundles that name the same backbone
    /// share one instance of it. Two bundles of the same name, or one that cannot be loaded,
    /// are an error naming the folders, so a server refuses to start rather than serve part of
    /// its models.
    public static func loadBundles(in folders: [String], modelsDirectory: () throws -> String) throws(ModelStoreError) -> [StoredModel] {
        var extractors: [String: FeatureExtractor] = [:]
        var loaded: [StoredModel] = []
        for folder in folders {
            for (name, path) in bundles(in: folder) {
                if let other = loaded.first(where: { $0.name == name }) {
                    throw ModelStoreError(description: "two inspection models are called '\(name)': \(other.path) and \(path)")
                }
                do {
                    let card = try ModelBundle.readCard(path)
                    let extractor: FeatureExtractor
                    if let shared = extractors[card.backbone.name] {
                        extractor = shared
                    } else {
                        extractor = try Backbones.load(card.backbone.name, modelsDirectory: modelsDirectory)
                        extractors[card.backbone.name] = extractor
                    }
                    let (model, checked) = try ModelBundle.load(path, extractor: extractor)
                    loaded.append(StoredModel(name: name, path: path, model: model, card: checked))
                } catch {
                    throw ModelStoreError(description: "inspection model \(path): \(error)")
                }
            }
        }
        return loaded
    }
}

/// A loaded bundle: its name (the bundle folder's), where it is, the model and its card.
public struct StoredModel: Sendable {
    public let name: String
    public let path: String
    public let model: InspectionModel
    public let card: ModelCard
}

/// A store folder that cannot be served from: the message names the bundle and the reason.
public struct ModelStoreError: Error, CustomStringConvertible, Sendable {
    public var description: String
}
