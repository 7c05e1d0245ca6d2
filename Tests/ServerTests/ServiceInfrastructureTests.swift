import Foundation
import Server
import Testing

/// The service's own behaviour (routes, errors, limits, metrics, capture, shutdown) on the
/// stub catalog: none of these needs the shipped models.
@Suite(.serialized) struct ServiceInfrastructureTests {
    @Test func healthModelsPageMetricsAndUnknownRoutes() async throws {
        let stub = try StubCatalog.catalog()
        try await withService(stub) { server in
            let health = try await server.call("GET", "/healthz")
            #expect(health.status == 200)
            #expect(health.json["status"] as? String == "ok")

            let models = try await server.call("GET", "/v1/models")
            let list = try #require(models.json["Models"] as? [[String: Any]])
            let survival = try #require(list.first { $0["Name"] as? String == "titanic-survival" })
            #expect(survival["Kind"] as? String == "survival")
            #expect(survival["Threshold"] as? Double == stub.survival.threshold)
            #expect((survival["Metrics"] as? [String: Double])?["AUC"] == stub.survival.metrics.evaluation.auc)
            #expect(survival["Created"] as? String == stub.survival.created)
            // No face models in the catalog: only the survival model is listed (the face routes are absent, below).
            #expect(list.count == 1)

            let page = try await server.call("GET", "/")
            #expect(page.status == 200)
            #expect(page.header("Content-Type")?.hasPrefix("text/html") == true)
            #expect(page.text.contains("Would you have survived the Titanic?"))

            let missing = try await server.call("GET", "/v1/nothing-here")
            #expect(missing.status == 404)
            #expect(missing.error?.code == "NotFound")
            #expect(missing.error?.message.contains("/v1/nothing-here") == true)

            _ = try await server.postJSON("/v1/survival/predict", ["age": 40, "sex": "male"])
            _ = try await server.postJSON("/v1/survival/predict", ["age": 400])
            let metrics = try await server.call("GET", "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.header("Content-Type")?.hasPrefix("text/plain") == true)
            let text = metrics.text
            #expect(text.contains(#"inspect_http_requests_total{route="/v1/survival/predict",method="POST",status="200"} 1"#))
            #expect(text.contains(#"inspect_http_requests_total{route="/v1/survival/predict",method="POST",status="400"} 1"#))
            #expect(text.contains(#"inspect_http_requests_total{route="/healthz",method="GET",status="200"} 1"#))
            #expect(text.contains(#"inspect_http_requests_total{route="unmatched",method="GET",status="404"} 1"#))
            #expect(text.contains(#"inspect_http_request_duration_seconds_count{route="/v1/survival/predict",method="POST"} 2"#))
            #expect(text.contains(#"inspect_http_request_duration_seconds_bucket{route="/v1/survival/predict",method="POST",le="+Inf"} 2"#))
            #expect(text.contains(#"inspect_inference_duration_seconds_count{model="titanic-survival"} 1"#))
            #expect(text.contains("# TYPE inspect_inference_duration_seconds histogram"))

            #expect(try await server.call("POST", "/v1/faces/detect", body: Data([1]), contentType: "image/png").status == 404)
        }
    }

    @Test func fullQueueAnswers503WithRetryAfter() async throws {
        var limits = ServerLimits()
        limits.inferenceThreads = 1
        limits.inferenceQueueCapacity = 0
        limits.retryAfterSeconds = 2
        limits.artificialInferenceDelaySeconds = 1.5
        try await withService(try StubCatalog.catalog(), limits: limits) { server in
            let replies = try await withThrowingTaskGroup(of: HTTPReply.self) { group in
                for _ in 0..<3 { group.addTask { try await server.postJSON("/v1/survival/predict", ["age": 9, "sex": "female"]) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.filter { $0.status == 200 }.count == 1)
            let busy = replies.filter { $0.status == 503 }
            #expect(busy.count == 2)
            #expect(busy.allSatisfy { $0.header("Retry-After") == "2" && $0.error?.code == "ServiceUnavailable" })
            let metrics = try await server.call("GET", "/metrics")
            #expect(metrics.text.contains("inspect_inference_rejected_total 2"))
        }
    }

    @Test func slowRequestTimesOutWith504() async throws {
        var limits = ServerLimits()
        limits.requestTimeoutSeconds = 0.3
        limits.artificialInferenceDelaySeconds = 1.5
        try await withService(try StubCatalog.catalog(), limits: limits) { server in
            let start = Date()
            let reply = try await server.postJSON("/v1/survival/predict", ["age": 9, "sex": "female"])
            #expect(reply.status == 504)
            #expect(reply.error?.code == "Timeout")
            // Answered at the timeout, not after the slow job (a bound, not a timing measurement).
            #expect(Date().timeIntervalSince(start) < 1.4)
            // The timed-out request left no deadline entry behind: only /metrics itself is in flight.
            let metrics = try await server.call("GET", "/metrics")
            #expect(metrics.text.contains("\ninspect_requests_in_flight 1.0\n"))
        }
    }

    @Test func finishedRequestsHoldNoDeadline() async throws {
        try await withService(try StubCatalog.catalog()) { server in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask { for _ in 0..<25 { _ = try await server.call("GET", "/healthz") } }
                }
                try await group.waitForAll()
            }
            let metrics = try await server.call("GET", "/metrics")
            #expect(metrics.text.contains("inspect_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 200"))
            #expect(metrics.text.contains("\ninspect_requests_in_flight 1.0\n"))
        }
    }

    /// Over real HTTP: only a running server can show requests finishing across a stop.
    @Test func gracefulShutdownFinishesRequestsInFlight() async throws {
        var limits = ServerLimits()
        limits.artificialInferenceDelaySeconds = 1
        let server = try await TestServer.start(try StubCatalog.catalog(), limits: limits)
        let inFlight = Task { try await server.postJSON("/v1/survival/predict", ["age": 9, "sex": "female"]) }
        try await Task.sleep(for: .milliseconds(300))
        try await server.stop()
        let reply = try await inFlight.value
        #expect(reply.status == 200)
        #expect(reply.json["Prediction"] != nil)
        // After the stop the port no longer answers.
        await #expect(throws: (any Error).self) { _ = try await server.call("GET", "/healthz") }
    }

    @Test func dataCaptureWritesSampledEventsAsJSONLines() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inspect-capture-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try await withService(try StubCatalog.catalog(), capture: CaptureSettings(directory: dir, percent: 100)) { server in
            _ = try await server.postJSON("/v1/survival/predict", ["age": 28, "sex": "male"])
            _ = try await server.call("POST", "/v1/survival/predict", body: Data("5,female,2,C".utf8), contentType: "text/csv")
        }
        let lines = try String(contentsOf: dir.appendingPathComponent("capture.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        let meta = try #require(first["eventMetadata"] as? [String: Any])
        #expect((meta["eventId"] as? String)?.count == 36)
        #expect(meta["route"] as? String == "/v1/survival/predict")
        let data = try #require(first["captureData"] as? [String: Any])
        #expect((data["endpointInput"] as? [String: Any])?["data"] as? String == "5,female,2,C")
        #expect(((data["endpointOutput"] as? [String: Any])?["data"] as? String)?.contains("predictedScores") == true)

        // 0 percent captures nothing.
        let none = dir.appendingPathComponent("none")
        try await withService(try StubCatalog.catalog(), capture: CaptureSettings(directory: none, percent: 0)) { server in
            _ = try await server.postJSON("/v1/survival/predict", ["age": 28, "sex": "male"])
        }
        #expect(try String(contentsOf: none.appendingPathComponent("capture.jsonl"), encoding: .utf8).isEmpty)
    }
}
