import Dispatch
import Foundation
import Imaging
import Inspection
import Server
import Testing

/// An inspection model on EfficientNet-Lite0 trained on real photos (12 normal and 4
/// anomalous photos of ../shared/datasets/lookout-aliens), so batching is checked through the
/// network, the memory search and the supervised head; nil when the dataset is absent.
final class TrainedAlienModel: @unchecked Sendable {
    static let dataset = sharedDatasets.appendingPathComponent("lookout-aliens")
    static let shared = Result { () throws -> TrainedAlienModel? in
        FileManager.default.fileExists(atPath: dataset.path) ? try TrainedAlienModel() : nil
    }

    /// `shared`, trained (the first time) on a Dispatch thread: a minute of training on one of
    /// the few threads of Swift's cooperative pool would hold up the other suites' servers.
    static func trained() async throws -> TrainedAlienModel? {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: shared) }
        }
    }
    let store: URL
    /// Photos the model was not trained on, normal and anomalous.
    let photos: [String]

    private init() throws {
        func pngs(_ folder: String) throws -> [String] {
            let dir = Self.dataset.appendingPathComponent(folder).path
            return try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".png") }
                .sorted { $0.localizedStandardCompare($1) == .orderedAscending }.map { dir + "/" + $0 }
        }
        let normal = try pngs("normal"), anomaly = try pngs("anomaly")
        let training = InspectionDataset(images: normal.prefix(12).map { LabeledImage(path: $0, isAnomalous: false) }
                                         + anomaly.prefix(4).map { LabeledImage(path: $0, isAnomalous: true) })
        var options = TrainingOptions()
        options.holdOutReport = false
        let result = try Trainer.train(training, extractor: try EfficientNetExtractor.load(modelsDirectory: repositoryModels.path), options: options)
        store = FileManager.default.temporaryDirectory.appendingPathComponent("inspect-batching-tests-\(getpid())/store")
        try ModelBundle.save(result.model, card: result.card, baseline: result.baseline, to: store.appendingPathComponent("aliens").path)
        photos = Array(normal.dropFirst(12).prefix(3)) + Array(anomaly.dropFirst(4).prefix(3))
    }

    func catalog() throws -> ModelCatalog {
        try StubCatalog.catalog().loadingInspection(from: InspectionSource(modelsDirectory: repositoryModels, folders: [store]))
    }
}

/// `inspect serve --max-batch`: requests that arrive together are answered exactly as when
/// each runs alone, and a bad photo fails only its own request.
@Suite(.serialized) struct DynamicBatchingTests {
    /// A batch of exactly `bodies.count` requests: the batch starts only once all have arrived
    /// (the wait is far longer than the test).
    static func batchOfAll(_ count: Int) -> BatchingSettings { BatchingSettings(maxBatch: count, maxWaitSeconds: 20) }

    /// Sends every body at once and returns the replies in the bodies' order.
    static func concurrently(_ server: ServiceClient, _ path: String, _ bodies: [(Data, String)]) async throws -> [HTTPReply] {
        try await withThrowingTaskGroup(of: (Int, HTTPReply).self) { group in
            for (i, (body, type)) in bodies.enumerated() {
                group.addTask { (i, try await server.call("POST", path, body: body, contentType: type)) }
            }
            var replies = [HTTPReply?](repeating: nil, count: bodies.count)
            for try await (i, reply) in group { replies[i] = reply }
            return replies.compactMap { $0 }
        }
    }

    /// Each body answered by a service without batching, one request at a time, then by one
    /// with every request in one batch: the same statuses and the same JSON, number for number.
    static func expectBatchedEqualsAlone(_ catalog: ModelCatalog, path: String, bodies: [(Data, String)], model: String) async throws
        -> [HTTPReply] {
        let alone = try await withService(catalog) { server in
            var replies: [HTTPReply] = []
            for (body, type) in bodies { replies.append(try await server.call("POST", path, body: body, contentType: type)) }
            return replies
        }
        let (batched, metrics) = try await withService(catalog, batching: batchOfAll(bodies.count)) { server in
            (try await concurrently(server, path, bodies), try await server.call("GET", "/metrics").text)
        }
        #expect(batched.count == bodies.count)
        for (i, (a, b)) in zip(alone, batched).enumerated() {
            #expect(a.status == b.status, "request \(i): \(a.text) vs \(b.text)")
            #expect(try canonical(a) == canonical(b), "request \(i): alone \(a.text), batched \(b.text)")
        }
        // One batch ran them all.
        #expect(metrics.contains("inspect_batches_total{model=\"\(model)\"} 1"), "\(metrics)")
        #expect(metrics.contains("inspect_batched_requests_total{model=\"\(model)\"} \(bodies.count)"), "\(metrics)")
        return batched
    }

    /// A reply's JSON with its keys sorted (numbers as parsed), to compare answers exactly.
    static func canonical(_ reply: HTTPReply) throws -> Data {
        try JSONSerialization.data(withJSONObject: try JSONSerialization.jsonObject(with: reply.body), options: [.sortedKeys])
    }

    static func png(_ path: String) throws -> (Data, String) { (try Data(contentsOf: URL(fileURLWithPath: path)), "image/png") }
    static let notAnImage = (Data("%PDF-1.4 not a photo".utf8), "image/png")

    @Test func generatedSurfacesBatchedEqualAloneAndABadPhotoFailsAlone() async throws {
        let trained = try TrainedSurfaceModel.shared.get()
        let bodies = try (trained.good + trained.defective).map(Self.png)
        let withBad = Array(bodies.prefix(2)) + [Self.notAnImage] + Array(bodies.dropFirst(2))
        let replies = try await Self.expectBatchedEqualsAlone(try trained.catalog(), path: "/v1/inspection/surface/detect?mask=true",
                                                              bodies: withBad, model: "surface")
        #expect(replies.map(\.status) == [200, 200, 400] + Array(repeating: 200, count: bodies.count - 2))
        #expect((replies[2].json["error"] as? [String: Any])?["code"] as? String == "InvalidImage")
        #expect(replies.filter { $0.json["AnomalyMask"] is String }.count == bodies.count)
    }

    @Test func realPhotosThroughTheNetworkBatchedEqualAlone() async throws {
        guard let trained = try await TrainedAlienModel.trained() else {
            print("skipped: \(TrainedAlienModel.dataset.path) is absent")
            return
        }
        let bodies = try trained.photos.map(Self.png)
        let replies = try await Self.expectBatchedEqualsAlone(try trained.catalog(), path: "/v1/inspection/aliens/detect?mask=true",
                                                              bodies: bodies + [Self.notAnImage], model: "aliens")
        #expect(replies.map(\.status) == Array(repeating: 200, count: bodies.count) + [400])
        // Both verdicts occur, so the comparison covers normal and anomalous answers.
        #expect(Set(replies.prefix(bodies.count).compactMap { $0.json["IsAnomalous"] as? Bool }).count == 2)
    }

    @Test func facesBatchedEqualAlone() async throws {
        let folder = sharedDatasets.appendingPathComponent("portraits")
        guard hasPortrait else {
            print("skipped: \(folder.path) is absent")
            return
        }
        let photos = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".jpg") }.sorted()
        let bodies = try photos.map { (try Data(contentsOf: folder.appendingPathComponent($0)), "image/jpeg") } + [Self.notAnImage]
        let replies = try await Self.expectBatchedEqualsAlone(try sharedCatalog.get(), path: "/v1/faces/detect", bodies: bodies, model: "faces")
        #expect(replies.map(\.status) == Array(repeating: 200, count: photos.count) + [400])
        #expect(replies.prefix(photos.count).allSatisfy { (($0.json["FaceDetails"] as? [Any])?.count ?? 0) >= 1 })
    }

    @Test func aLoneRequestDoesNotWaitForABatchWithoutAWait() async throws {
        // --max-batch 8 --max-wait-ms 0: one request is answered at once, in a batch of one.
        let trained = try TrainedSurfaceModel.shared.get()
        let body = try Self.png(try #require(trained.good.first))
        let metrics = try await withService(try trained.catalog(), batching: BatchingSettings(maxBatch: 8, maxWaitSeconds: 0)) { server in
            let reply = try await server.call("POST", "/v1/inspection/surface/detect", body: body.0, contentType: body.1)
            #expect(reply.status == 200, "\(reply.text)")
            return try await server.call("GET", "/metrics").text
        }
        #expect(metrics.contains("inspect_batched_requests_total{model=\"surface\"} 1"), "\(metrics)")
    }

    @Test func aRequestWaitingForABatchTimesOutAlone() async throws {
        // A batch that never fills: the request's own timeout answers it (504), not the batch.
        let trained = try TrainedSurfaceModel.shared.get()
        let body = try Self.png(try #require(trained.good.first))
        var limits = ServerLimits()
        limits.requestTimeoutSeconds = 0.5
        let reply = try await withService(try trained.catalog(), limits: limits, batching: BatchingSettings(maxBatch: 4, maxWaitSeconds: 5)) { server in
            try await server.call("POST", "/v1/inspection/surface/detect", body: body.0, contentType: body.1)
        }
        #expect(reply.status == 504, "\(reply.text)")
    }
}
