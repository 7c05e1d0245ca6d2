import Foundation

/// The catalog the service answers with now. A reload replaces it in one step; a request
/// reads it once and keeps the models it took, so requests in flight finish on the old ones.
final class CatalogState: @unchecked Sendable {
    private let lock = NSLock()
    private var catalog: ModelCatalog

    init(_ catalog: ModelCatalog) { self.catalog = catalog }

    var current: ModelCatalog { lock.withLock { catalog } }

    func replace(_ new: ModelCatalog) { lock.withLock { catalog = new } }
}
