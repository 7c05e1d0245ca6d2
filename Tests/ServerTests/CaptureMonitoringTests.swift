import Foundation
import Imaging
import Inspection
import Server
import Testing

/// What the server records for monitoring: the capture fields of inspection requests, the
/// roll-over of the capture file, and the drift figures on /metrics.
@Suite(.serialized) struct CaptureMonitoringTests {
    @Test func inspectionCapturesCarryStatisticsAndSketchAndRollOver() async throws {
        let trained = try TrainedSurfaceModel.shared.get()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inspect-monitor-capture-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        // About three records per file: every few requests the file rolls over.
        let settings = CaptureSettings(directory: dir, percent: 100, maxBytes: 3000)
        let photos = trained.good + trained.defective
        let (scores, metrics) = try await withService(try trained.catalog(), capture: settings) { server in
            var scores: [Double] = []
            for path in photos {
                let reply = try await server.call("POST", "/v1/inspection/surface/detect", body: try Data(contentsOf: URL(fileURLWithPath: path)),
                                                  contentType: "image/png")
                #expect(reply.status == 200, "\(reply.text)")
                scores.append(reply.json["Score"] as? Double ?? .nan)
            }
            return (scores, try await server.call("GET", "/metrics").text)
        }
        let files = try CaptureFiles.files(in: dir.path)
        #expect(files.count >= 2, "\(files)")
        #expect(files.dropLast().allSatisfy { ($0 as NSString).lastPathComponent.hasPrefix("capture-") })
        for file in files {
            let size = (try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
            #expect(size <= 3000, "\(file): \(size) bytes")
        }
        let events = try CaptureFiles.events(in: files, model: "surface")
        #expect(events.count == photos.count)
        for (event, (path, score)) in zip(events, zip(photos, scores)) {
            let photo = try Image(contentsOfFile: path)
            #expect(event.inspection.statistics == photo.statistics(), "\(path)")
            #expect(abs(event.inspection.score - score) <= 1e-6 * max(1, abs(score)))
            #expect(event.inspection.featureSketch.count == FeatureSketchParameters.defaultDimension)
            #expect(event.inspection.threshold == Double(trained.result.model.threshold))
        }
        // The photo itself is not in the record (no --capture-images).
        let text = try String(contentsOfFile: files[0], encoding: .utf8)
        #expect(!text.contains("imageFile"))

        // /metrics: the window's size, anomaly rate and PSI of brightness and score.
        func gauge(_ prefix: String) -> Double? {
            metrics.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Double($0.split(separator: " ").last ?? "") }
        }
        #expect(gauge("inspect_drift_window_requests{model=\"surface\"}") == Double(photos.count), "\(metrics)")
        let flagged = events.count { $0.inspection.isAnomalous }
        let rate = try #require(gauge("inspect_drift_anomaly_rate{model=\"surface\"}"))
        #expect(abs(rate - Double(flagged) / Double(photos.count)) < 1e-9, "rate \(rate), \(flagged) of \(photos.count) flagged")
        #expect(metrics.contains("inspect_drift_expected_anomaly_rate{model=\"surface\"}"))
        for statistic in ["brightness", "score"] {
            #expect(metrics.split(separator: "\n").contains { $0.hasPrefix("inspect_drift_psi{") && $0.contains("statistic=\"\(statistic)\"") },
                    "no PSI of \(statistic)")
        }
    }

    @Test func awsRoutesAreCapturedLikeTheNativeOnes() async throws {
        let trained = try TrainedSurfaceModel.shared.get()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inspect-aws-capture-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let photo = try Data(contentsOf: URL(fileURLWithPath: try #require(trained.defective.first)))
        let scores = try await withService(try trained.catalog(), capture: CaptureSettings(directory: dir, percent: 100)) { server in
            let lookout = try await server.aws("/2020-11-20/projects/surface/models/latest/detect", contentType: "image/png", body: photo)
            let sageMaker = try await server.aws("/endpoints/surface/invocations", contentType: "image/png", body: photo)
            let csv = try await server.aws("/endpoints/titanic-survival/invocations", contentType: "text/csv", body: Data("28,female,2,S".utf8),
                                           extra: [("Accept", "text/csv")])
            let predict = try await server.awsJSON("AmazonML_20141212.Predict", AWSRouteTests.passenger)
            #expect([lookout, sageMaker, csv, predict].allSatisfy { $0.status == 200 }, "\([lookout, sageMaker, csv, predict].map(\.text))")
            return ((lookout.json["DetectAnomalyResult"] as? [String: Any])?["Score"] as? Double, sageMaker.json["Score"] as? Double, csv.text)
        }
        let files = try CaptureFiles.files(in: dir.path)
        let records = try files.flatMap { file in
            try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map {
                try JSONDecoder().decode(CaptureRecord.self, from: Data($0.utf8))
            }
        }
        #expect(records.map(\.eventMetadata.route) == ["aws:lookoutvision:DetectAnomalies", "aws:sagemaker:InvokeEndpoint",
                                                        "aws:sagemaker:InvokeEndpoint", "aws:AmazonML_20141212.Predict"])
        // Both inspection answers carry what monitoring needs, with the version that answered.
        let events = try CaptureFiles.events(in: files, model: "surface")
        #expect(events.count == 2)
        #expect(events.map(\.inspection.modelVersion) == [1, 1])
        for (event, score) in zip(events, [try #require(scores.0), try #require(scores.1)]) {
            #expect(abs(event.inspection.score - score) <= 1e-6 * max(1, abs(score)))
        }
        #expect(records[0].captureData.endpointInput.bytes == photo.count)
        // The CSV answer is recorded as sent: the score alone, as text/csv.
        #expect(records[2].captureData.endpointInput.data == "28,female,2,S")
        #expect(records[2].captureData.endpointOutput.observedContentType == "text/csv")
        #expect(records[2].captureData.endpointOutput.data == scores.2)
        #expect(records[3].captureData.endpointInput.data?.contains("titanic-survival") == true)
    }
}
