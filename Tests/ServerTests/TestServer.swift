import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Server
import Tabular

/// The repository's Models directory (the shipped survival and face models).
let repositoryModels = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Models")

/// The shipped models, loaded once for all tests.
let sharedCatalog = Result { try ModelCatalog.load(modelsDirectory: repositoryModels) }

/// Shared datasets (../shared/datasets from the repository root), when present.
let sharedDatasets = repositoryModels.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/datasets")
let portrait = sharedDatasets.appendingPathComponent("portraits/obama.jpg")
let hasPortrait = FileManager.default.fileExists(atPath: portrait.path)

/// A multipart/form-data body and its content type.
func multipartForm(_ parts: [(name: String, filename: String?, type: String?, body: Data)], boundary: String = "inspect-test-boundary-7d3f") -> (Data, String) {
    var out = Data()
    for p in parts {
        var head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(p.name)\""
        if let f = p.filename { head += "; filename=\"\(f)\"" }
        if let t = p.type { head += "\r\nContent-Type: \(t)" }
        out += Data((head + "\r\n\r\n").utf8) + p.body + Data("\r\n".utf8)
    }
    out += Data("--\(boundary)--\r\n".utf8)
    return (out, "multipart/form-data; boundary=\(boundary)")
}

/// A service on a free loopback port, called over real HTTP.
struct TestServer {
    let handle: ServerHandle
    let service: InspectService
    var base: URL { URL(string: "http://127.0.0.1:\(handle.port)")! }

    static func start(limits: ServerLimits = ServerLimits(), capture: CaptureSettings? = nil, catalog: ModelCatalog? = nil) async throws -> TestServer {
        let catalog = try catalog ?? sharedCatalog.get()
        let service = try InspectService(configuration: ServerConfiguration(host: "127.0.0.1", port: 0, limits: limits, capture: capture), models: catalog)
        return TestServer(handle: try await service.start(), service: service)
    }

    func stop() async throws { try await handle.shutdown() }

    /// One request on a fresh session (no connection reuse between calls).
    func call(_ method: String, _ path: String, body: Data? = nil, contentType: String? = nil) async throws -> HTTPReply {
        var request = URLRequest(url: base.appendingPathComponent(path))
        if let query = path.split(separator: "?", maxSplits: 1).dropFirst().first {
            request.url = URL(string: base.absoluteString + path.split(separator: "?")[0] + "?" + query)
        }
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = 30
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        let session = URLSession(configuration: .ephemeral)
        defer { session.finishTasksAndInvalidate() }
        let (data, response) = try await session.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
        return HTTPReply(status: http.statusCode, headers: http.allHeaderFields as? [String: String] ?? [:], body: data)
    }

    func postJSON(_ path: String, _ object: [String: Any]) async throws -> HTTPReply {
        try await call("POST", path, body: try JSONSerialization.data(withJSONObject: object), contentType: "application/json")
    }
}

struct HTTPReply: Sendable {
    var status: Int
    var headers: [String: String]
    var body: Data

    var text: String { String(decoding: body, as: UTF8.self) }
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    func header(_ name: String) -> String? { headers.first { $0.key.lowercased() == name.lowercased() }?.value }
    /// The `{"error": {"code", "message"}}` of an error reply.
    var error: (code: String, message: String)? {
        guard let e = json["error"] as? [String: Any], let c = e["code"] as? String, let m = e["message"] as? String else { return nil }
        return (c, m)
    }
}
