import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Server

/// Fixed test keys, in the shared-credentials format the server reads.
enum AWSTestKeys {
    static let keyID = "AKIAINSPECTTEST"
    static let secret = "inspect/secret+key"
    static let credentials = AWSCredentials(secrets: [keyID: secret])
}

/// A request signed the way botocore signs it (its steps pinned to botocore's by
/// SignatureV4Tests), for the route tests.
struct SignedRequest {
    var method = "POST"
    var path: String
    var headers: [(String, String)] = []
    var body = Data()

    /// `headers` plus Host, X-Amz-Date and Authorization; `secret` may be wrong on purpose.
    func signedHeaders(keyID: String = AWSTestKeys.keyID, secret: String = AWSTestKeys.secret, service: String,
                       region: String = "us-east-1", date: Date = Date(), host: String = "localhost") -> [(String, String)] {
        let amzDate = SignatureV4Verifier.formatAmzDate(date)
        let all = headers + [("Host", host), ("X-Amz-Date", amzDate)]
        var byName: [String: [String]] = [:]
        for (name, value) in all { byName[name.lowercased(), default: []].append(value) }
        let signed = byName.keys.sorted()
        let parts = path.split(separator: "?", maxSplits: 1).map(String.init)
        let rawPath = parts.first ?? "/", query = parts.count > 1 ? parts[1] : nil
        let canonical = SignatureV4.canonicalRequest(method: method, path: rawPath, query: query, headers: byName,
                                                     signedHeaders: signed, payloadHash: SignatureV4.sha256Hex(Array(body)))
        let scope = "\(amzDate.prefix(8))/\(region)/\(service)/aws4_request"
        let key = SignatureV4.signingKey(secret: secret, date: String(amzDate.prefix(8)), region: region, service: service)
        let signature = SignatureV4.signature(stringToSign: SignatureV4.stringToSign(amzDate: amzDate, scope: scope, canonicalRequest: canonical), key: key)
        return all + [("Authorization", "AWS4-HMAC-SHA256 Credential=\(keyID)/\(scope), SignedHeaders=\(signed.joined(separator: ";")), Signature=\(signature)")]
    }
}

extension ServiceClient {
    /// A request with any headers (the AWS routes read X-Amz-Target, Accept, Authorization, ...).
    func call(_ method: String, _ path: String, headers: [(String, String)], body: Data) async throws -> HTTPReply {
        var fields = HTTPFields()
        for (name, value) in headers {
            guard let fieldName = HTTPField.Name(name) else { throw URLError(.badURL) }
            fields.append(HTTPField(name: fieldName, value: value))
        }
        guard let method = HTTPRequest.Method(method) else { throw URLError(.unsupportedURL) }
        let response = try await client.execute(uri: path, method: method, headers: fields, body: ByteBuffer(bytes: body))
        var replyHeaders: [String: String] = [:]
        for field in response.headers where replyHeaders[field.name.canonicalName] == nil { replyHeaders[field.name.canonicalName] = field.value }
        return HTTPReply(status: Int(response.status.code), headers: replyHeaders, body: Data(response.body.readableBytesView))
    }

    /// An unsigned AWS request (the service under test has no credentials: loopback).
    func aws(_ path: String, target: String? = nil, contentType: String, body: Data, extra: [(String, String)] = []) async throws -> HTTPReply {
        var headers = [("Content-Type", contentType)] + extra
        if let target { headers.append(("X-Amz-Target", target)) }
        return try await call("POST", path, headers: headers, body: body)
    }

    /// A JSON 1.1 operation, unsigned.
    func awsJSON(_ target: String, _ object: [String: Any]) async throws -> HTTPReply {
        try await aws("/", target: target, contentType: "application/x-amz-json-1.1", body: try JSONSerialization.data(withJSONObject: object))
    }
}

/// Runs `body` against a service with the given AWS settings (signatures, clock).
func withAWSService<T: Sendable>(_ catalog: ModelCatalog, aws: AWSSettings, limits: ServerLimits = ServerLimits(),
                                 _ body: @Sendable (ServiceClient) async throws -> T) async throws -> T {
    var configuration = ServerConfiguration(limits: limits)
    configuration.aws = aws
    let service = try InspectService(configuration: configuration, models: catalog)
    return try await service.application(logLevel: .critical).test(.router) { client in
        try await body(ServiceClient(client: client, service: service))
    }
}

extension HTTPReply {
    /// The AWS error code as botocore reads it: `x-amzn-ErrorType` (rest-json) or `__type` (JSON 1.1).
    var awsErrorCode: String? { header("x-amzn-ErrorType") ?? json["__type"] as? String }
    var awsMessage: String? { json["Message"] as? String ?? json["message"] as? String }
}
