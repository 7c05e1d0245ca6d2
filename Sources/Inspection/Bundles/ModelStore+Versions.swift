import Foundation

/// One version of a stored model: the bundle STORE/NAME/vN/, or, for a model saved before
/// versions existed, the bundle STORE/NAME/ itself, which is version 1.
public struct ModelVersion: Sendable, Equatable {
    public let name: String
    public let number: Int
    public let path: String
    /// True for a bundle in the layout before versions (model.json directly in its folder).
    public let isUnversionedLayout: Bool

    /// `name v3`.
    public var label: String { "\(name) v\(number)" }
}

/// A model of a store folder: its versions (ascending) and the promoted one, if any.
public struct StoredModelVersions: Sendable, Equatable {
    public let name: String
    public let folder: String
    public let versions: [ModelVersion]
    public let promoted: Int?

    public func version(_ number: Int) -> ModelVersion? { versions.first { $0.number == number } }

    /// The version a name alone means (`--model NAME`, the server): the promoted one, else
    /// the newest.
    public var served: ModelVersion? { promoted.flatMap(version) ?? versions.last }

    /// "1, 2, 4".
    public var versionList: String { versions.map { String($0.number) }.joined(separator: ", ") }
}

/// The models of one folder, and the folders that look like models but cannot be read as one.
public struct ModelFolderListing: Sendable {
    public var models: [StoredModelVersions] = []
    public var problems: [BrokenModel] = []
}

/// A model, or one version of it, that cannot be used: where it is and why.
public struct BrokenModel: Sendable, Equatable {
    public let name: String
    /// The version, when the problem is one version's (nil: the model folder's).
    public let version: Int?
    public let path: String
    public let error: String

    public init(name: String, version: Int?, path: String, error: String) {
        self.name = name
        self.version = version
        self.path = path
        self.error = error
    }

    public var label: String { version.map { "\(name) v\($0)" } ?? name }
}

extension ModelStore {
    /// The file naming the promoted version inside a model folder.
    public static let promotedFile = "promoted"

    /// The model in a folder, nil when the folder holds no version (or is no folder). A folder
    /// with a model.json and a v1/ both, or a promoted file that names no version, is an error
    /// naming the file.
    public static func model(inFolder folder: String) throws(InspectionError) -> StoredModelVersions? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return nil }
        let name = (folder as NSString).lastPathComponent
        var versions = entries.compactMap { entry -> ModelVersion? in
            guard let number = ModelVersionNumber.ofFolder(entry) else { return nil }
            let path = (folder as NSString).appendingPathComponent(entry)
            return ModelsDirectory.isDirectory(path) ? ModelVersion(name: name, number: number, path: path, isUnversionedLayout: false) : nil
        }
        if isBundle(folder) {
            if versions.contains(where: { $0.number == 1 }) {
                throw InspectionError(folder, "holds both a model.json (a model saved before versions, which is version 1) and v1/; move one of them away")
            }
            versions.append(ModelVersion(name: name, number: 1, path: folder, isUnversionedLayout: true))
        }
        guard !versions.isEmpty else { return nil }
        versions.sort { $0.number < $1.number }
        let promotedPath = (folder as NSString).appendingPathComponent(promotedFile)
        var promoted: Int?
        if let data = FileManager.default.contents(atPath: promotedPath) {
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let number = ModelVersionNumber.parse(Substring(text)) else {
                throw InspectionError(promotedPath, "expected a version number, found \"\(text.prefix(40))\"")
            }
            guard versions.contains(where: { $0.number == number }) else {
                throw InspectionError(promotedPath, "names version \(number), which does not exist (versions: \(versions.map { String($0.number) }.joined(separator: ", ")))")
            }
            promoted = number
        }
        return StoredModelVersions(name: name, folder: folder, versions: versions, promoted: promoted)
    }

    /// Every model directly inside a folder, in name order (none when the folder is missing);
    /// hidden entries (a version being written) are skipped.
    public static func listing(of folder: String) -> ModelFolderListing {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        var listing = ModelFolderListing()
        for entry in entries.sorted() where !entry.hasPrefix(".") {
            let path = (folder as NSString).appendingPathComponent(entry)
            do {
                if let found = try Self.model(inFolder: path) { listing.models.append(found) }
            } catch {
                listing.problems.append(BrokenModel(name: entry, version: nil, path: path, error: error.description))
            }
        }
        return listing
    }

    /// This store's models.
    public func listing() -> ModelFolderListing { Self.listing(of: root) }

    /// The model of a name, or an error saying where it looked.
    public func model(named name: String) throws(InspectionError) -> StoredModelVersions {
        let folder = modelFolder(name)
        guard let model = try Self.model(inFolder: folder) else {
            throw InspectionError(name, "no such model in the store (looked for \(folder))")
        }
        return model
    }

    /// Records version `number` as the one `NAME` means, replacing any earlier promotion.
    @discardableResult
    public func promote(_ name: String, version number: Int) throws(InspectionError) -> ModelVersion {
        let model = try self.model(named: name)
        guard let version = model.version(number) else {
            throw InspectionError("\(name)@\(number)", "\(name) has no version \(number) (versions: \(model.versionList))")
        }
        let path = (model.folder as NSString).appendingPathComponent(Self.promotedFile)
        do {
            try Data("\(number)\n".utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw InspectionError(path, "cannot write the promoted version: \(error.localizedDescription)")
        }
        return version
    }

    /// What `remove` did.
    public enum Removal: Sendable, Equatable {
        /// The version is gone; the model keeps its other versions.
        case version
        /// It was the last version: the model folder is gone too.
        case model
    }

    /// Deletes version `number`. The promoted version is refused unless `force` (then the
    /// promotion goes too, and the newest remaining version is the one served); removing the
    /// last version removes the model folder.
    @discardableResult
    public func remove(_ name: String, version number: Int, force: Bool = false) throws(InspectionError) -> Removal {
        let model = try self.model(named: name)
        guard let version = model.version(number) else {
            throw InspectionError("\(name)@\(number)", "\(name) has no version \(number) (versions: \(model.versionList))")
        }
        if model.promoted == number && !force {
            throw InspectionError("\(name)@\(number)", "version \(number) is the promoted version of \(name) (the one `--model \(name)` and the server use): "
                                  + "promote another version first (`inspect models promote \(name) N`), or give --force")
        }
        do {
            if model.versions.count == 1 {
                try Self.removeByRenaming(model.folder)
                return .model
            }
            if model.promoted == number {
                try FileManager.default.removeItem(atPath: (model.folder as NSString).appendingPathComponent(Self.promotedFile))
            }
            if version.isUnversionedLayout {
                // The old layout's files lie directly in the model folder beside the newer versions.
                for entry in try FileManager.default.contentsOfDirectory(atPath: model.folder)
                where ModelVersionNumber.ofFolder(entry) == nil && entry != Self.promotedFile && !entry.hasPrefix(".") {
                    try FileManager.default.removeItem(atPath: (model.folder as NSString).appendingPathComponent(entry))
                }
            } else {
                try Self.removeByRenaming(version.path)
            }
        } catch {
            throw InspectionError(version.path, "cannot remove: \(error.localizedDescription)")
        }
        return .version
    }

    /// Renames a folder to a hidden name first, so a reader never sees it half deleted.
    static func removeByRenaming(_ path: String) throws {
        let hidden = ((path as NSString).deletingLastPathComponent as NSString)
            .appendingPathComponent(".removing-\((path as NSString).lastPathComponent)-\(UUID().uuidString)")
        try FileManager.default.moveItem(atPath: path, toPath: hidden)
        try FileManager.default.removeItem(atPath: hidden)
    }

    /// Saves a trained model as the next version of `name` (1 for a new model): written into a
    /// hidden folder, then renamed to vN in one step, so a server reloading meanwhile sees the
    /// whole version or none. A model in the layout before versions is first moved into v1/.
    /// Versions are never rewritten; the promotion is left as it was.
    @discardableResult
    public func saveNewVersion(_ model: InspectionModel, card: ModelCard, baseline: MonitoringBaseline? = nil,
                               name: String) throws(InspectionError) -> ModelVersion {
        let folder = modelFolder(name)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw InspectionError(folder, "cannot create the model folder: \(error.localizedDescription)")
        }
        try Self.moveUnversionedLayoutIntoV1(folder)
        let staging = (folder as NSString).appendingPathComponent(".writing-\(UUID().uuidString)")
        do {
            try ModelBundle.save(model, card: card, baseline: baseline, to: staging)
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
        // The next number after the folders present (whatever the promoted file says).
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        var number = (entries.compactMap(ModelVersionNumber.ofFolder).max() ?? 0) + 1
        // Another training of the same name may take a number at the same time: try the next.
        for _ in 0..<100 {
            let path = (folder as NSString).appendingPathComponent(ModelVersionNumber.folderName(number))
            if (try? FileManager.default.moveItem(atPath: staging, toPath: path)) != nil {
                return ModelVersion(name: name, number: number, path: path, isUnversionedLayout: false)
            }
            guard FileManager.default.fileExists(atPath: path) else { break }
            number += 1
        }
        try? FileManager.default.removeItem(atPath: staging)
        throw InspectionError(folder, "cannot name the new version (v\(number)): the folder is not writable or keeps changing")
    }

    /// Moves a model saved before versions (model.json and its files directly in the model
    /// folder) into v1/, the same way a new version is written.
    static func moveUnversionedLayoutIntoV1(_ folder: String) throws(InspectionError) {
        guard isBundle(folder) else { return }
        let target = (folder as NSString).appendingPathComponent(ModelVersionNumber.folderName(1))
        guard !FileManager.default.fileExists(atPath: target) else {
            throw InspectionError(folder, "holds both a model.json (a model saved before versions, which is version 1) and v1/; move one of them away")
        }
        let staging = (folder as NSString).appendingPathComponent(".moving-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: false)
            for entry in try FileManager.default.contentsOfDirectory(atPath: folder)
            where ModelVersionNumber.ofFolder(entry) == nil && entry != promotedFile && !entry.hasPrefix(".") {
                try FileManager.default.moveItem(atPath: (folder as NSString).appendingPathComponent(entry),
                                                 toPath: (staging as NSString).appendingPathComponent(entry))
            }
            try FileManager.default.moveItem(atPath: staging, toPath: target)
        } catch {
            throw InspectionError(folder, "cannot move the model saved before versions into v1/: \(error.localizedDescription)")
        }
    }
}
