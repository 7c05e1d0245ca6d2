import Foundation
import Hummingbird

/// The models resource: `GET /v1/models` (every model, every inspection version and which one
/// is served, and what could not be loaded) and `POST /v1/models/reload` (an admin route: off,
/// 404, unless the server has an admin token; then it needs `Authorization: Bearer TOKEN`).
extension InspectService {
    static let reloadPath = "/v1/models/reload"

    func addModelRoutes(to router: Router<BasicRequestContext>) {
        route(router, .get, "/v1/models") { [self] _, _ in
            JSONBody.response(models.listing)
        }
        let token = configuration.adminToken.map(AdminToken.init)
        route(router, .post, Self.reloadPath) { [self] request, _ in
            guard let token else {
                throw APIError(.notFound, code: "NotEnabled",
                               "POST \(Self.reloadPath) is off: start inspect serve with --admin-token TOKEN (or INSPECT_ADMIN_TOKEN) to enable it, or send the server SIGHUP")
            }
            try token.check(request)
            guard let reload = await reloadModels(trigger: "POST \(Self.reloadPath)") else {
                throw APIError(.conflict, code: "NothingToReload", "this server's inspection models were given by the program embedding it; there is no store to reload")
            }
            return JSONBody.response(reload)
        }
    }
}
