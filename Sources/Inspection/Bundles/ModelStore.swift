import Foundation

/// Where trained inspection models live, and how they are found and loaded: the one store
/// the command line and the HTTP server share.
///
/// The root is `--model-store DIR` when given, else the `INSPECT_MODEL_STORE` environment
/// variable, else `./trained-models`. A model NAME is the folder ROOT/NAME/ holding its
/// versions ROOT/NAME/v1/, v2/, ... (each a bundle: model.json + weights.safetensors) and, when
/// one was promoted, the file ROOT/NAME/promoted with its number. A model saved before versions
/// existed (ROOT/NAME/model.json) is version 1. References (`ModelReference`): NAME is the
/// promoted version, else the newest; NAME@N is version N; a path to a bundle or to a model
/// folder is accepted wherever a name is.
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

    /// The folder of a model name (its versions are inside).
    public func modelFolder(_ name: String) -> String {
        (root as NSString).appendingPathComponent(name)
    }

    /// The model version a reference names: a bundle path as it is; a model folder's path or
    /// a name of the store, its promoted (else newest) version, or version N with `@N`.
    public func resolve(_ text: String) throws(InspectionError) -> ModelVersion {
        if Self.isBundle(text) { return Self.bundleVersion(text) }
        if text.contains("/"), let model = try Self.model(inFolder: text), let served = model.served { return served }
        let reference = try ModelReference(parsing: text)
        let isPath = reference.base.contains("/")
        let folder = isPath ? reference.base : modelFolder(reference.base)
        guard let model = try Self.model(inFolder: folder) else {
            let hint = isPath ? "" : "; train one with `inspect train GOOD_DIR [BAD_DIR] --name \(reference.base)`"
            throw InspectionError(text, "no such model (looked for \(folder)\(hint))")
        }
        guard let number = reference.version else {
            guard let served = model.served else { throw InspectionError(text, "no such model (\(folder) holds no version)") }
            return served
        }
        guard let version = model.version(number) else {
            throw InspectionError(text, "\(model.name) has no version \(number) (versions: \(model.versionList))")
        }
        return version
    }

    /// Loads the model version a reference names, with the backbone its card names.
    /// `modelsDirectory` is asked only when that backbone has network weights to read.
    public func load(_ text: String, modelsDirectory: () throws -> String) throws(InspectionError) -> StoredModel {
        try Self.load(try resolve(text), modelsDirectory: modelsDirectory)
    }

    /// Loads one version (its card, backbone and weights, all checked).
    public static func load(_ version: ModelVersion, extractors: inout [String: FeatureExtractor],
                            modelsDirectory: () throws -> String) throws(InspectionError) -> StoredModel {
        let card = try ModelBundle.readCard(version.path)
        let extractor: FeatureExtractor
        if let shared = extractors[card.backbone.name] {
            extractor = shared
        } else {
            extractor = try Backbones.load(card.backbone.name, modelsDirectory: modelsDirectory)
            extractors[card.backbone.name] = extractor
        }
        let (model, checked) = try ModelBundle.load(version.path, extractor: extractor)
        return StoredModel(name: version.name, version: version.number, path: version.path, model: model, card: checked)
    }

    public static func load(_ version: ModelVersion, modelsDirectory: () throws -> String) throws(InspectionError) -> StoredModel {
        var extractors: [String: FeatureExtractor] = [:]
        return try load(version, extractors: &extractors, modelsDirectory: modelsDirectory)
    }

    /// True when the folder holds a model card.
    public static func isBundle(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent(ModelBundle.cardFile))
    }

    /// A bundle given by its path: version N of its parent when its folder is `vN`, else a
    /// model of its own folder's name at version 1.
    static func bundleVersion(_ path: String) -> ModelVersion {
        let folder = (path as NSString).lastPathComponent
        if let number = ModelVersionNumber.ofFolder(folder) {
            let parent = ((path as NSString).deletingLastPathComponent as NSString).lastPathComponent
            if !parent.isEmpty && parent != "." && parent != "/" {
                return ModelVersion(name: parent, number: number, path: path, isUnversionedLayout: false)
            }
        }
        return ModelVersion(name: folder, number: 1, path: path, isUnversionedLayout: true)
    }
}

/// A loaded model version: its name, version number, where it is, the model and its card.
public struct StoredModel: Sendable {
    public let name: String
    public let version: Int
    public let path: String
    public let model: InspectionModel
    public let card: ModelCard

    public init(name: String, version: Int, path: String, model: InspectionModel, card: ModelCard) {
        self.name = name
        self.version = version
        self.path = path
        self.model = model
        self.card = card
    }

    /// `name v3`, as messages and listings write a version.
    public var label: String { "\(name) v\(version)" }
}
