import Foundation
import HTTPTypes
import Hummingbird

/// An error in AWS's terms: the error code a client maps to its exception class, the HTTP
/// status, the message and the exception's modeled members (botocore's service models give
/// each exception's code, members and, for rest-json services, its status).
struct AWSError: Error, Sendable, CustomStringConvertible {
    enum Member: Encodable, Sendable {
        case text(String)
        case number(Int)

        func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .text(let s): try c.encode(s)
            case .number(let n): try c.encode(n)
            }
        }
    }

    var status: HTTPResponse.Status
    var code: String
    var message: String
    var members: [String: Member] = [:]
    var retryAfterSeconds: Int?

    init(_ status: HTTPResponse.Status, _ code: String, _ message: String, members: [String: Member] = [:], retryAfterSeconds: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.members = members
        self.retryAfterSeconds = retryAfterSeconds
    }

    var description: String { "\(status.code) \(code): \(message)" }

    /// The error response. Both wire protocols carry the code where botocore looks for it:
    /// rest-json in the `x-amzn-ErrorType` header, JSON 1.1 in the body's `__type`; each gets
    /// both here, and the message under the member name the service's model uses.
    func response(_ service: AWSServiceModel) -> Response {
        var body = members
        body[service.messageMember] = .text(message)
        if service.wire == .json11 { body["__type"] = .text(code) }
        var response = JSONBody.response(body, status: status)
        response.headers[.contentType] = service.wire.contentType
        if let name = HTTPField.Name("x-amzn-ErrorType") { response.headers[name] = code }
        if let retryAfterSeconds { response.headers[.retryAfter] = String(retryAfterSeconds) }
        return response
    }
}

/// The two wire protocols of the four services (the `protocol` of each service model).
enum AWSWireProtocol: Sendable {
    /// Operation in the method and path, payload as the body (Lookout for Vision, SageMaker Runtime).
    case restJSON
    /// `POST /`, operation in `X-Amz-Target`, a JSON body (Rekognition, Amazon ML).
    case json11

    var contentType: String { self == .json11 ? "application/x-amz-json-1.1" : "application/json" }
}

/// What the AWS edge needs to know of one service: its SigV4 signing name (the credential
/// scope's service), wire protocol, the member name of its error messages, and how the errors
/// of the shared request handling (body limits, image decoding, the inference queue, the
/// request timeout) read in its terms.
struct AWSServiceModel: Sendable {
    var name: String
    var signingName: String
    var wire: AWSWireProtocol
    var messageMember: String
    var translate: @Sendable (APIError) -> AWSError

    /// Any error raised while answering, as this service's error.
    func error(from error: any Error) -> AWSError {
        switch error {
        case let e as AWSError: return e
        default: return translate(APIError.from(error))
        }
    }
}

extension APIError {
    /// The request timed out (the service's 504).
    var isTimeout: Bool { status == .gatewayTimeout }
    /// The inference queue is full (the service's 503 with Retry-After).
    var isBusy: Bool { status == .serviceUnavailable }
    var retryAfterSeconds: Int? { headers[.retryAfter].flatMap(Int.init) }
}
