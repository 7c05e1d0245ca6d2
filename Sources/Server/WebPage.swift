import Foundation
import Hummingbird

extension InspectService {
    /// The page at `/`, embedded in the binary (no build step, works offline).
    func addWebPage(to router: Router<BasicRequestContext>) {
        route(router, .get, "/") { _, _ in
            var response = JSONBody.bytes(PackageResources.index_html, contentType: "text/html; charset=utf-8")
            response.headers[.cacheControl] = "no-cache"
            return response
        }
    }
}
