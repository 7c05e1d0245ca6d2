import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import HummingbirdTesting
import Server
import Tabular

/// The repository's Models directory (the shipped survival and face models).
let repositoryModels = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Models")

/// The shipped models, loaded once, for the tests that check their answers.
let sharedCatalog = Result { try ModelCatalog.load(modelsDirectory: repositoryModels) }

/// The shipped survival model alone (no face models to load).
let shippedSurvivalCatalog = Result {
    ModelCatalog(survival: try TabularModel.load(path: repositoryModels.appendingPathComponent(SurvivalInput.modelFile).path))
}

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

/// Runs `body` against the service's router in memory (HummingbirdTesting: no socket, the
/// same routes, middleware, limits, queue and metrics).
func withService<T: Sendable>(_ catalog: ModelCatalog, limits: ServerLimits = ServerLimits(), capture: CaptureSettings? = nil,
                              accessLog: AccessLogDestination = .off, adminToken: String? = nil, batching: BatchingSettings = BatchingSettings(),
                              _ body: @Sendable (ServiceClient) async throws -> T) async throws -> T {
    var configuration = ServerConfiguration(limits: limits, capture: capture, accessLog: accessLog)
    configuration.adminToken = adminToken
    configuration.batching = batching
    let service = try InspectService(configuration: configuration, models: catalog)
    return try await service.application(logLevel: .critical).test(.router) { client in
        try await body(ServiceClient(client: client, service: service))
    }
}

/// Requests to the router under test, answered as `HTTPReply`s.
struct ServiceClient: Sendable {
    let client: any TestClientProtocol
    let service: InspectService

    func call(_ method: String, _ path: String, body: Data? = nil, contentType: String? = nil,
              authorization: String? = nil) async throws -> HTTPReply {
        var headers = HTTPFields()
        if let contentType { headers[.contentType] = contentType }
        if let authorization { headers[.authorization] = authorization }
        guard let method = HTTPRequest.Method(method) else { throw URLError(.unsupportedURL) }
        let response = try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(bytes: $0) })
        var fields: [String: String] = [:]
        for field in response.headers where fields[field.name.canonicalName] == nil { fields[field.name.canonicalName] = field.value }
        return HTTPReply(status: Int(response.status.code), headers: fields, body: Data(response.body.readableBytesView))
    }

    func postJSON(_ path: String, _ object: [String: Any]) async throws -> HTTPReply {
        try await call("POST", path, body: try JSONSerialization.data(withJSONObject: object), contentType: "application/json")
    }
}

/// A service on a free loopback port, called over real HTTP (for what only a running server
/// shows: graceful shutdown, the port closing).
struct TestServer {
    let handle: ServerHandle
    let service: InspectService
    var base: URL { URL(string: "http://127.0.0.1:\(handle.port)")! }

    static func start(_ catalog: ModelCatalog, limits: ServerLimits = ServerLimits(), capture: CaptureSettings? = nil, port: Int = 0) async throws -> TestServer {
        let service = try InspectService(configuration: ServerConfiguration(host: "127.0.0.1", port: port, limits: limits, capture: capture), models: catalog)
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
