import Foundation

/// What a reload of the inspection models did: the served versions added, replaced, removed
/// and kept, and every model or version that could not be loaded (the answer of
/// `POST /v1/models/reload`, and the log line of a reload).
public struct ModelReload: Codable, Sendable {
    /// "SIGHUP" or "POST /v1/models/reload".
    public var Trigger: String
    /// Every version served after the reload: "demo v2".
    public var Served: [String]
    /// Models served now that were not before: "demo v1".
    public var Added: [String]
    /// Models now served at another version, or the same version changed on disk: "demo v1 -> v2".
    public var Replaced: [String]
    /// Models no longer served: "demo v1".
    public var Removed: [String]
    public var Unchanged: [String]
    public var Failed: [BrokenDescription]
    public var Seconds: Double

    init(trigger: String, old: ModelCatalog, new: ModelCatalog, seconds: Double) {
        Trigger = trigger
        Served = new.inspection.map(\.label)
        let before = Dictionary(old.inspection.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let after = Set(new.inspection.map(\.name))
        Added = new.inspection.filter { before[$0.name] == nil }.map(\.label)
        Replaced = new.inspection.compactMap { model in
            guard let previous = before[model.name], previous !== model else { return nil }
            return "\(previous.label) -> v\(model.version)"
        }
        Unchanged = new.inspection.filter { before[$0.name] === $0 }.map(\.label)
        Removed = old.inspection.filter { !after.contains($0.name) }.map(\.label)
        Failed = new.broken.map(BrokenDescription.init)
        self.Seconds = (seconds * 1000).rounded() / 1000
    }

    /// One line for the server's log.
    public var summary: String {
        func part(_ title: String, _ items: [String]) -> String? { items.isEmpty ? nil : "\(title) \(items.joined(separator: ", "))" }
        let parts = [part("added", Added), part("replaced", Replaced), part("removed", Removed),
                     part("failed", Failed.map { "\($0.Name)\($0.Version.map { " v\($0)" } ?? ""): \($0.Error)" })]
            .compactMap { $0 }
        return "reloaded the models (\(Trigger), \(String(format: "%.2f", Seconds)) s): serving \(Served.isEmpty ? "no inspection model" : Served.joined(separator: ", "))"
            + (parts.isEmpty ? "; nothing changed" : "; " + parts.joined(separator: "; "))
    }
}

extension LoadedInspectionModel {
    /// `demo v2`.
    var label: String { "\(name) v\(version)" }
}

extension InspectService {
    /// Reloads the inspection models from where they came from and swaps the catalog in one
    /// step; requests in flight finish on the models they took. Reloads run one at a time, on
    /// a thread of their own (loading reads and hashes weight files). Nil when the catalog was
    /// given by the embedding program with nothing to reload from.
    public func reloadModels(trigger: String) async -> ModelReload? {
        await withCheckedContinuation { continuation in
            reloads.async { [self] in
                let started = Date()
                let old = catalog.current
                guard let new = old.reloadingInspection() else {
                    continuation.resume(returning: nil)
                    return
                }
                catalog.replace(new)
                let reload = ModelReload(trigger: trigger, old: old, new: new, seconds: Date().timeIntervalSince(started))
                configuration.reloadLog?(reload)
                continuation.resume(returning: reload)
            }
        }
    }
}
