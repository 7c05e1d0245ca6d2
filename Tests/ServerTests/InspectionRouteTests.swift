import Foundation
import Imaging
import Inspection
import Server
import Testing

/// A small inspection model trained on generated surfaces (texture statistics backbone, no
/// network weights), saved as a bundle in a temporary model store; shared by the tests.
final class TrainedSurfaceModel: @unchecked Sendable {
    static let shared = Result { try TrainedSurfaceModel() }
    let store: URL
    let good: [String]
    let defective: [String]
    let result: TrainingResult

    private init() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("inspect-server-tests-\(getpid())")
        let train = try SyntheticSurfaces.writeDataset(to: root.appendingPathComponent("train").path, good: 12, defective: 6, width: 160, height: 120, seed: 1)
        let test = try SyntheticSurfaces.writeDataset(to: root.appendingPathComponent("test").path, good: 2, defective: 2, width: 160, height: 120, seed: 2)
        var options = TrainingOptions()
        options.inputLongSide = 160
        result = try Trainer.train(try InspectionDataset.folders(good: train.good, bad: train.bad), extractor: TextureStatisticsExtractor(), options: options)
        store = root.appendingPathComponent("store")
        try ModelBundle.save(result.model, card: result.card, baseline: result.baseline, to: store.appendingPathComponent("surface").path)
        func pngs(_ dir: String) throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".png") }.sorted().map { dir + "/" + $0 }
        }
        good = try pngs(test.good)
        defective = try pngs(test.bad)
    }

    /// The stub catalog with the store's models (no shipped model needed). The bundle is in
    /// the layout before versions (STORE/surface/model.json), which serves as version 1.
    func catalog() throws -> ModelCatalog {
        try StubCatalog.catalog().loadingInspection(from: InspectionSource(modelsDirectory: repositoryModels, folders: [store]))
    }
}

@Suite(.serialized) struct InspectionRouteTests {
    @Test func detectAnswersTheBundlesVerdictInLookoutShape() async throws {
        let trained = try TrainedSurfaceModel.shared.get()
        try await withService(try trained.catalog()) { server in

            let models = try await server.call("GET", "/v1/models")
            let entry = try #require((models.json["Models"] as? [[String: Any]])?.first { $0["Name"] as? String == "surface" })
            #expect(entry["Kind"] as? String == "inspection")
            // JSON carries the Float threshold as a decimal; read back as Float it is the card's exactly.
            #expect((entry["Threshold"] as? Double).map { Float($0) } == trained.result.card.threshold)

            for path in trained.good + trained.defective {
                let reply = try await server.call("POST", "/v1/inspection/surface/detect", body: try Data(contentsOf: URL(fileURLWithPath: path)), contentType: "image/png")
                #expect(reply.status == 200, "\(reply.text)")
                // The same score as the model on the same photo prepared the same way.
                let prepared = try ImagePreparation.load(path, size: trained.result.model.inputSize)
                let direct = trained.result.model.inspect([prepared.resized])[0]
                let score = try #require(reply.json["Score"] as? Double)
                #expect(abs(score - Double(direct.score)) <= 1e-4 * max(1, abs(Double(direct.score))), "\(path)")
                #expect(reply.json["IsAnomalous"] as? Bool == direct.isAnomalous)
                #expect((reply.json["Source"] as? [String: String])?["Type"] == "direct")
                #expect(reply.json["AnomalyMask"] == nil)
                let anomalies = try #require(reply.json["Anomalies"] as? [[String: Any]])
                #expect(anomalies.map { $0["Name"] as? String } == ["background", "anomaly"])
                // The probability that the verdict is right (Platt-scaled: below 0.5 where the
                // training photos say a verdict that close to the threshold is more often wrong).
                let confidence = try #require(reply.json["Confidence"] as? Double)
                #expect(confidence >= 0 && confidence <= 1)
                #expect(abs(confidence - direct.confidence) <= 1e-4, "\(path)")
            }
        }
    }

    @Test func maskIsAPNGOfThePhotosSizeMatchingTheArea() async throws {
        let trained = try TrainedSurfaceModel.shared.get()
        try await withService(try trained.catalog()) { server in
            let path = try #require(trained.defective.first)
            let reply = try await server.call("POST", "/v1/inspection/surface/detect?mask=true", body: try Data(contentsOf: URL(fileURLWithPath: path)), contentType: "image/png")
            #expect(reply.status == 200)
            let encoded = try #require(reply.json["AnomalyMask"] as? String)
            let mask = try Image(decoding: Array(try #require(Data(base64Encoded: encoded))))
            #expect(mask.width == 160 && mask.height == 120)
            let red = stride(from: 0, to: mask.pixels.count, by: mask.format == .rgb ? 3 : 4).filter { mask.pixels[$0] == 255 }.count
            let area = try #require(((reply.json["Anomalies"] as? [[String: Any]])?.last?["PixelAnomaly"] as? [String: Any])?["TotalPercentageArea"] as? Double)
            #expect(abs(Double(red) / Double(160 * 120) - area) < 0.02)
        }
    }

    @Test func inspectionErrors() async throws {
        let trained = try TrainedSurfaceModel.shared.get()
        try await withService(try trained.catalog()) { server in
            let photo = try Data(contentsOf: URL(fileURLWithPath: try #require(trained.good.first)))

            let unknown = try await server.call("POST", "/v1/inspection/nope/detect", body: photo, contentType: "image/png")
            #expect(unknown.status == 404)
            #expect(unknown.error?.code == "ModelNotFound")
            #expect(unknown.error?.message.contains("surface") == true)

            let wrongType = try await server.call("POST", "/v1/inspection/surface/detect", body: photo, contentType: "application/json")
            #expect(wrongType.status == 415)

            let tiny = Data(try ImageEncoder.png(Image(width: 32, height: 32, format: .rgb, pixels: [UInt8](repeating: 9, count: 32 * 32 * 3))))
            let small = try await server.call("POST", "/v1/inspection/surface/detect", body: tiny, contentType: "image/png")
            #expect(small.status == 400)
            #expect(small.error?.message.contains("32x32") == true)

            let garbage = try await server.call("POST", "/v1/inspection/surface/detect", body: Data("GIF89a....".utf8), contentType: "image/png")
            #expect(garbage.status == 400)
            #expect(garbage.error?.code == "InvalidImage")

            let badFlag = try await server.call("POST", "/v1/inspection/surface/detect?mask=maybe", body: photo, contentType: "image/png")
            #expect(badFlag.status == 400)

            let huge = try await server.call("POST", "/v1/inspection/surface/detect", body: Data(count: 6_000_001), contentType: "image/png")
            #expect(huge.status == 413)

            let metrics = try await server.call("GET", "/metrics")
            #expect(metrics.text.contains(#"inspect_http_requests_total{route="/v1/inspection/{model}/detect",method="POST",status="404"} 1"#))
        }
    }

    /// The whole start-up path (shipped models, then the store): a damaged model is listed
    /// with its reason and does not stop the start.
    @Test func aBrokenBundleIsListedWithItsReasonAndDoesNotStopTheStart() throws {
        let trained = try TrainedSurfaceModel.shared.get()
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("inspect-broken-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: broken) }
        let bundle = broken.appendingPathComponent("surface")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: trained.store.appendingPathComponent("surface"), to: bundle)
        // Flip bytes in the weights: the hash check must refuse them.
        let weights = bundle.appendingPathComponent(ModelBundle.weightsFile)
        var data = try Data(contentsOf: weights)
        data[data.count - 1] ^= 0xFF
        try data.write(to: weights)
        let catalog = try ModelCatalog.load(modelsDirectory: repositoryModels, bundleFolders: [broken])
        #expect(catalog.inspection.isEmpty)
        #expect(catalog.broken.map(\.label) == ["surface v1"])
        let line = try #require(catalog.brokenLines.first)
        #expect(line.hasPrefix("surface v1 (\(bundle.path)): ") && line.contains("corrupted"), "\(line)")
        #expect(catalog.names.contains("titanic-survival"))
    }
}
