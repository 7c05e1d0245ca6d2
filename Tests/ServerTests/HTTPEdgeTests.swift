import Foundation
import Server
import Testing

/// The service at the edges of HTTP: errors before any route, methods, time limits, the port,
/// the access log and the startup message.
@Suite(.serialized) struct HTTPEdgeTests {
    @Test func oversizedHeadersGetTheJSONErrorShape() async throws {
        let server = try await TestServer.start(try StubCatalog.catalog())
        let port = server.handle.port
        let request = "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Padding: \(String(repeating: "a", count: 100_000))\r\n\r\n"
        let reply = try await Task.detached { try RawHTTP.exchange(port: port, Array(request.utf8)) }.value
        try await server.stop()
        #expect(reply.status == 431)
        #expect(reply.headers["content-type"] == "application/json")
        let error = try #require(reply.json["error"] as? [String: String])
        #expect(error["code"] == "HeadersTooLarge")
        #expect(error["message"]?.contains("80 kB") == true)
    }

    @Test func aSlowUploadGets408NotATimeoutOfTheService() async throws {
        var limits = ServerLimits()
        limits.requestTimeoutSeconds = 0.5
        let server = try await TestServer.start(try StubCatalog.catalog(), limits: limits)
        let port = server.handle.port
        // The head announces 1000 bytes; 10 arrive, then nothing.
        let request = "POST /v1/survival/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"age\": 30"
        // The wait only bounds a hang: suites running beside this one (training, batching) can
        // hold both of the concurrency pool's threads for seconds, and the answer waits for one.
        let reply = try await Task.detached { try RawHTTP.exchange(port: port, Array(request.utf8), timeout: 120) }.value
        try await server.stop()
        #expect(reply.status == 408)
        #expect((reply.json["error"] as? [String: String])?["code"] == "RequestTimeout")
    }

    @Test func aWrongMethodGets405WithAllow() async throws {
        try await withService(try StubCatalog.catalog()) { server in
            let get = try await server.call("GET", "/v1/survival/predict")
            #expect(get.status == 405)
            #expect(get.header("Allow") == "POST")
            #expect(get.error?.code == "MethodNotAllowed")
            let detect = try await server.call("DELETE", "/v1/inspection/anything/detect")
            #expect(detect.status == 405 && detect.header("Allow") == "POST")
            let post = try await server.call("POST", "/healthz")
            #expect(post.status == 405 && post.header("Allow") == "GET")
            #expect(try await server.call("GET", "/v1/no-such-route").status == 404)
        }
    }

    @Test func aPortInUseIsNamedWithWhatToDo() async throws {
        let first = try await TestServer.start(try StubCatalog.catalog())
        let port = first.handle.port
        var message = ""
        do {
            let second = try await TestServer.start(try StubCatalog.catalog(), port: port)
            try await second.stop()
        } catch let error as StartError {
            message = error.description
        }
        try await first.stop()
        #expect(message.contains("port \(port) on 127.0.0.1 is already in use"), "\(message)")
        #expect(message.contains("--port"))
        #expect(!message.contains("errno"))
    }

    @Test func theAccessLogHasOneLinePerRequest() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("access-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try await withService(try StubCatalog.catalog(), accessLog: .file(file)) { server in
            _ = try await server.call("GET", "/healthz")
            _ = try await server.postJSON("/v1/survival/predict", ["age": 30])
            _ = try await server.call("GET", "/v1/nowhere")
        }
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        let entries = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(entries.map { $0["route"] as? String } == ["/healthz", "/v1/survival/predict", "unmatched"])
        #expect(entries.map { $0["status"] as? Int } == [200, 400, 404])
        #expect(entries.map { $0["method"] as? String } == ["GET", "POST", "GET"])
        for entry in entries {
            #expect((entry["ms"] as? Double).map { $0 >= 0 } == true)
            #expect((entry["bytes"] as? Int).map { $0 > 0 } == true, "\(entry)")
        }
    }

    @Test func startupNamesEachModelsSource() throws {
        let catalog = try sharedCatalog.get()
        let survival = try #require(catalog.sources.first { $0.hasPrefix("titanic-survival: ") })
        #expect(survival.contains("Models directory") && survival.contains(repositoryModels.appendingPathComponent("titanic-survival.json").path))
        #expect(catalog.sources.count == catalog.names.count)
        #expect(catalog.sources.allSatisfy { !$0.contains("given by the program") }, "\(catalog.sources)")
    }

    @Test func metricsIncludeTheProcess() async throws {
        try await withService(try StubCatalog.catalog()) { server in
            let text = try await server.call("GET", "/metrics").text
            for name in ["process_resident_memory_bytes", "process_open_fds", "process_cpu_seconds_total"] {
                #expect(text.contains("# TYPE \(name) "), "\(name)")
                let value = text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ")[1]) }
                #expect((value ?? 0) > 0, "\(name)")
            }
        }
    }

    @Test func thePageShowsTheSelfiesRangeConfidenceAndCaveats() async throws {
        try await withService(try StubCatalog.catalog()) { server in
            let page = try await server.call("GET", "/").text
            #expect(page.contains("result.Estimate"))
            #expect(page.contains("over the age range and sex"))
            #expect(page.contains("estimate.caveats"))
            #expect(page.contains("face.Confidence"))
        }
    }
}
