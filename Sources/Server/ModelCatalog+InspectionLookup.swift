import Inspection

extension ModelCatalog {
    /// The served inspection model that `NAME` or `NAME@N` names, or why there is none in words:
    /// no such model (with the names served), a version that is not the served one (how to
    /// serve it), or a model whose served version did not load (the reason).
    func servedInspection(_ text: String) -> Result<LoadedInspectionModel, InspectionLookupFailure> {
        let reference = (try? ModelReference(parsing: text)) ?? ModelReference(base: text)
        return servedInspection(reference.base, version: reference.version)
    }

    func servedInspection(_ name: String, version: Int?) -> Result<LoadedInspectionModel, InspectionLookupFailure> {
        if let loaded = inspection.first(where: { $0.name == name }) {
            guard let version, version != loaded.version else { return .success(loaded) }
            let exists = listed.first { $0.model.name == name }?.model.version(version) != nil
            return .failure(InspectionLookupFailure(message: exists
                ? "version \(version) of '\(name)' is not served (v\(loaded.version) is): promote it with `inspect models promote \(name) \(version)` and reload"
                : "'\(name)' has no version \(version) (served: v\(loaded.version))"))
        }
        let servedVersion = listed.first { entry in entry.model.name == name }?.model.served?.number
        if let broken = broken.first(where: { entry in entry.name == name && (entry.version == nil || entry.version == servedVersion) }) {
            return .failure(InspectionLookupFailure(message: "inspection model '\(name)' could not be loaded: \(broken.error)"))
        }
        let known = inspection.map(\.name)
        return .failure(InspectionLookupFailure(message: "no inspection model '\(name)' (loaded: \(known.isEmpty ? "none" : known.joined(separator: ", ")))"))
    }
}

/// Why a route's inspection model cannot answer, in words.
struct InspectionLookupFailure: Error {
    var message: String
}
