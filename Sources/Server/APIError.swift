import Foundation
import HTTPTypes
import Hummingbird
import Imaging
import NIOCore

/// An error the API answers with: a status and `{"error": {"code", "message"}}`.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    /// Extra response headers (Retry-After on 503).
    public var headers: HTTPFields = [:]
    /// What was wrong with an image that did not decode (the AWS routes tell a too-large image apart).
    public var imagingKind: ImagingError.Kind?

    public init(_ status: HTTPResponse.Status, code: String, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, code: "BadRequest", message) }
    static func invalidImage(_ reason: String) -> APIError { APIError(.badRequest, code: "InvalidImage", reason) }
    static func tooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, code: "PayloadTooLarge", "the request body is larger than the \(limit / 1_000_000) MB limit")
    }
    static func unsupportedMediaType(_ got: String?, expected: [String]) -> APIError {
        APIError(.unsupportedMediaType, code: "UnsupportedMediaType",
                 "content type \(got.map { "'\($0)'" } ?? "missing"); expected \(expected.joined(separator: " or "))")
    }
    static func notFound(_ message: String) -> APIError { APIError(.notFound, code: "NotFound", message) }
    static func busy(retryAfterSeconds: Int) -> APIError {
        var headers = HTTPFields()
        headers[.retryAfter] = String(retryAfterSeconds)
        return APIError(.serviceUnavailable, code: "ServiceUnavailable",
                        "the inference queue is full; retry after \(retryAfterSeconds) s", headers: headers)
    }
    static func timeout(seconds: Double) -> APIError {
        APIError(.gatewayTimeout, code: "Timeout", "the request took longer than the \(formatSeconds(seconds)) s limit")
    }
    static func requestTimeout(seconds: Double) -> APIError {
        APIError(.requestTimeout, code: "RequestTimeout",
                 "the request body did not arrive within the \(formatSeconds(seconds)) s limit; send it faster or in a smaller request")
    }
    static func methodNotAllowed(_ method: String, path: String, allowed: [String]) -> APIError {
        var headers = HTTPFields()
        headers[.allow] = allowed.joined(separator: ", ")
        return APIError(.methodNotAllowed, code: "MethodNotAllowed",
                        "\(path) does not take \(method); it takes \(allowed.joined(separator: ", "))", headers: headers)
    }
    static func internalError(_ message: String) -> APIError { APIError(.internalServerError, code: "InternalError", message) }

    /// The JSON response for this error.
    var response: Response {
        var response = JSONBody.response(ErrorEnvelope(error: .init(code: code, message: message)), status: status)
        for field in headers { response.headers.append(field) }
        return response
    }

    /// Any error thrown while handling a request, as the API error it answers with.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let e as APIError: return e
        case is NIOTooManyBytesError: return .tooLarge(limit: ServerLimits.defaultMaxBodyBytes)
        case let e as HTTPError where e.status == .notFound:
            return .notFound(e.body ?? "no such route")
        case let e as HTTPError where e.status == .contentTooLarge:
            return .tooLarge(limit: ServerLimits.defaultMaxBodyBytes)
        case let e as HTTPError:
            return APIError(e.status, code: e.status.reasonPhrase.replacingOccurrences(of: " ", with: ""), e.body ?? e.status.reasonPhrase)
        default: return .internalError(String(describing: error))
        }
    }
}

/// `{"error": {"code": "...", "message": "..."}}`
struct ErrorEnvelope: Codable, Sendable {
    struct Body: Codable, Sendable {
        var code: String
        var message: String
    }
    var error: Body
}

func formatSeconds(_ s: Double) -> String {
    s == s.rounded() ? String(Int(s)) : String(format: "%.2f", s)
}
