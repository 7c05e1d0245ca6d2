import Foundation

/// The routes the service registered, by path template and method, so a request for a known
/// path with another method gets 405 and the methods it allows, not 404.
final class RouteTable: @unchecked Sendable {
    private let lock = NSLock()
    private var routes: [(segments: [Substring], method: String)] = []

    func add(_ path: String, method: String) {
        let segments = path.split(separator: "/")
        lock.withLock { routes.append((segments, method)) }
    }

    /// The methods registered for a path (templates' `:name` and `{name}` segments match any
    /// one segment), sorted; empty when no route has this path.
    func methods(for path: String) -> [String] {
        let segments = path.split(separator: "/")
        let all = lock.withLock { routes }
        let matching = all.filter { route in
            route.segments.count == segments.count && zip(route.segments, segments).allSatisfy { template, given in
                template.hasPrefix(":") || (template.hasPrefix("{") && template.hasSuffix("}")) || template == given
            }
        }
        return Set(matching.map(\.method)).sorted()
    }
}
