import Foundation
import Inspection
import Server
import Testing

/// Reloading the inspection models: a new version swapped in, broken models listed while the
/// others serve, and the admin route's token.
@Suite(.serialized) struct ModelReloadTests {
    static let token = "reload-token-for-tests"

    /// A fresh store holding the trained surface model as `surface` v1.
    static func store() throws -> (store: ModelStore, folder: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("inspect-reload-\(UUID().uuidString)")
        let store = ModelStore(root: folder.path)
        let trained = try TrainedSurfaceModel.shared.get()
        try store.saveNewVersion(trained.result.model, card: trained.result.card, name: "surface")
        return (store, folder)
    }

    static func catalog(_ folder: URL) throws -> ModelCatalog {
        try StubCatalog.catalog().loadingInspection(from: InspectionSource(modelsDirectory: repositoryModels, folders: [folder]))
    }

    static func served(_ reply: HTTPReply, _ name: String) -> [String: Any]? {
        (reply.json["Models"] as? [[String: Any]])?.first { $0["Name"] as? String == name }
    }

    @Test func reloadSwapsInANewVersionAndBackOnPromotion() async throws {
        let trained = try TrainedSurfaceModel.shared.get()
        let (store, folder) = try Self.store()
        defer { try? FileManager.default.removeItem(at: folder) }
        let photo = try Data(contentsOf: URL(fileURLWithPath: try #require(trained.good.first)))
        try await withService(try Self.catalog(folder), adminToken: Self.token) { server in
            let before = try await server.call("POST", "/v1/inspection/surface/detect", body: photo, contentType: "image/png")
            #expect(before.status == 200)
            let v1Threshold = try #require(before.json["Threshold"] as? Double)
            #expect(Float(v1Threshold) == trained.result.card.threshold)

            // Version 2: the same memory with a threshold no good photo reaches.
            var card = trained.result.card
            card.threshold = trained.result.card.threshold + 1000
            try store.saveNewVersion(trained.result.model, card: card, name: "surface")
            // Not served before the reload.
            let stale = try await server.call("POST", "/v1/inspection/surface/detect", body: photo, contentType: "image/png")
            #expect(stale.json["Threshold"] as? Double == v1Threshold)

            let reload = try await server.call("POST", "/v1/models/reload", authorization: "Bearer \(Self.token)")
            #expect(reload.status == 200, "\(reload.text)")
            #expect(reload.json["Replaced"] as? [String] == ["surface v1 -> v2"])
            #expect(reload.json["Served"] as? [String] == ["surface v2"])
            #expect((reload.json["Failed"] as? [Any])?.isEmpty == true)

            let after = try await server.call("POST", "/v1/inspection/surface/detect", body: photo, contentType: "image/png")
            #expect(after.status == 200)
            #expect((after.json["Threshold"] as? Double).map(Float.init) == card.threshold)
            #expect(after.json["IsAnomalous"] as? Bool == false)
            let pinned = try await server.call("POST", "/v1/inspection/surface@1/detect", body: photo, contentType: "image/png")
            #expect(pinned.status == 404 && pinned.error?.message.contains("version 1 of 'surface' is not served (v2 is)") == true, "\(pinned.text)")

            let listing = try await server.call("GET", "/v1/models")
            let entry = try #require(Self.served(listing, "surface"))
            #expect(entry["Version"] as? Int == 2)
            let versions = try #require(entry["Versions"] as? [[String: Any]])
            #expect(versions.map { $0["Version"] as? Int } == [1, 2])
            #expect(versions.map { $0["Served"] as? Bool } == [false, true])

            // Promoting version 1 serves it again after the next reload; unchanged models are kept.
            try store.promote("surface", version: 1)
            let back = try #require(await server.service.reloadModels(trigger: "test"))
            #expect(back.Replaced == ["surface v2 -> v1"])
            let again = try #require(await server.service.reloadModels(trigger: "test"))
            #expect(again.Unchanged == ["surface v1"] && again.Replaced.isEmpty && again.summary.contains("nothing changed"))
            let restored = try await server.call("POST", "/v1/inspection/surface/detect", body: photo, contentType: "image/png")
            #expect(restored.json["Threshold"] as? Double == v1Threshold)
        }
    }

    @Test func aBrokenModelIsListedWithItsErrorWhileTheOthersServe() async throws {
        let trained = try TrainedSurfaceModel.shared.get()
        let (_, folder) = try Self.store()
        defer { try? FileManager.default.removeItem(at: folder) }
        let garbage = folder.appendingPathComponent("garbage/v1")
        try FileManager.default.createDirectory(at: garbage, withIntermediateDirectories: true)
        try Data("{\"kind\": \"inspect-anomaly-model\", truncated".utf8).write(to: garbage.appendingPathComponent(ModelBundle.cardFile))
        let photo = try Data(contentsOf: URL(fileURLWithPath: try #require(trained.defective.first)))
        try await withService(try Self.catalog(folder)) { server in
            let listing = try await server.call("GET", "/v1/models")
            #expect(Self.served(listing, "surface") != nil)
            #expect(Self.served(listing, "garbage") == nil)
            let broken = try #require(listing.json["Broken"] as? [[String: Any]])
            #expect(broken.count == 1)
            #expect(broken.first?["Name"] as? String == "garbage" && broken.first?["Version"] as? Int == 1)
            let error = try #require(broken.first?["Error"] as? String)
            #expect(error.hasPrefix(garbage.appendingPathComponent(ModelBundle.cardFile).path + ": not a valid model card"), "\(error)")

            let served = try await server.call("POST", "/v1/inspection/surface/detect", body: photo, contentType: "image/png")
            #expect(served.status == 200)
            let refused = try await server.call("POST", "/v1/inspection/garbage/detect", body: photo, contentType: "image/png")
            #expect(refused.status == 404 && refused.error?.code == "ModelNotFound")
            #expect(refused.error?.message.contains("could not be loaded") == true && refused.error?.message.contains("not a valid model card") == true,
                    "\(refused.text)")
            // Lookout for Vision names the reason too.
            let lookout = try await server.aws("/2020-11-20/projects/garbage/models/1/detect", contentType: "image/png", body: photo)
            #expect(lookout.status == 404 && lookout.awsErrorCode == "ResourceNotFoundException")
            #expect(lookout.awsMessage?.contains("could not be loaded") == true, "\(lookout.text)")
        }
    }

    @Test func theReloadRouteIsOffWithoutATokenAndRefusesAMissingOrWrongOne() async throws {
        let (_, folder) = try Self.store()
        defer { try? FileManager.default.removeItem(at: folder) }
        try await withService(try Self.catalog(folder)) { server in
            let off = try await server.call("POST", "/v1/models/reload", authorization: "Bearer \(Self.token)")
            #expect(off.status == 404 && off.error?.code == "NotEnabled")
        }
        try await withService(try Self.catalog(folder), adminToken: Self.token) { server in
            let missing = try await server.call("POST", "/v1/models/reload")
            #expect(missing.status == 401 && missing.header("WWW-Authenticate") == "Bearer")
            for wrong in ["Bearer \(Self.token)x", "Bearer reload-token", "Basic \(Self.token)", "Bearer", Self.token] {
                let refused = try await server.call("POST", "/v1/models/reload", authorization: wrong)
                #expect(refused.status == 403 && refused.error?.code == "Forbidden", "\(wrong)")
            }
            let right = try await server.call("POST", "/v1/models/reload", authorization: "bearer \(Self.token)")
            #expect(right.status == 200 && right.json["Served"] as? [String] == ["surface v1"], "\(right.text)")
            let metrics = try await server.call("GET", "/metrics")
            #expect(metrics.text.contains(#"inspect_http_requests_total{route="/v1/models/reload",method="POST",status="403"} 5"#))
        }
    }
}
