import Foundation
import HTTPTypes
import Hummingbird
import Inspection
import Logging
import ServiceLifecycle

/// A request to an AWS operation, its signature checked and its body read.
struct AWSRequest: Sendable {
    let request: Request
    let body: [UInt8]

    func header(_ name: String) -> String? {
        request.headers.first { $0.name.canonicalName == name }?.value
    }
}

extension InspectService {
    /// The AWS-compatible routes: Lookout for Vision and SageMaker Runtime (rest-json, by
    /// path), Rekognition and Amazon ML (JSON 1.1, `POST /` with `X-Amz-Target`).
    func addAWSRoutes(to router: Router<BasicRequestContext>) {
        addLookoutVisionRoutes(to: router)
        addSageMakerRuntimeRoutes(to: router)
        let operations = rekognitionOperations().merging(machineLearningOperations()) { first, _ in first }
        routes.add("/", method: "POST")
        router.on("/", method: .post) { [self] request, context in
            let target = request.headers.first { $0.name.canonicalName == "x-amz-target" }?.value ?? ""
            guard let operation = operations[target] else {
                let error = AWSError(.badRequest, "UnknownOperationException",
                                     target.isEmpty ? "POST / needs an X-Amz-Target header naming the operation"
                                                    : "unknown operation \(target); this server answers \(operations.keys.sorted().joined(separator: ", "))")
                return await answerAWS(request, context, service: .unknownJSONTarget, label: "aws:unknown") { _, _ in throw error }
            }
            return await answerAWS(request, context, service: operation.service, label: "aws:" + target, maxBodyBytes: operation.maxBodyBytes,
                                   operation.handler)
        }
    }

    /// Answers one AWS request: checks its signature (when credentials are configured),
    /// reads its body, runs the handler under the request timeout, and turns any error into
    /// the service's error shape. Every answer carries `x-amzn-RequestId`, which botocore
    /// reports as the ResponseMetadata's RequestId.
    func answerAWS(_ request: Request, _ context: BasicRequestContext, service: AWSServiceModel, label: String,
                   maxBodyBytes: Int? = nil,
                   _ handler: @escaping @Sendable (AWSRequest, BasicRequestContext) async throws -> Response) async -> Response {
        let start = ContinuousClock.now
        let verifier = configuration.aws.credentials.map { SignatureV4Verifier(credentials: $0, now: configuration.aws.clock) }
        var limits = configuration.limits
        if let maxBodyBytes { limits.maxBodyBytes = maxBodyBytes }
        let reader = BodyReader(limits: limits)
        var response: Response
        do {
            response = try await withTimeout(seconds: limits.requestTimeoutSeconds, deadlines: deadlines) {
                let pending = try verifier?.preflight(request, signingName: service.signingName)
                let body = try await reader.collect(request)
                if let verifier, let pending { try verifier.verify(pending, body: body) }
                return try await handler(AWSRequest(request: request, body: body), context)
            }
        } catch {
            response = service.error(from: error).response(service)
        }
        if let name = HTTPField.Name("x-amzn-RequestId") { response.headers[name] = UUID().uuidString.lowercased() }
        let elapsed = ContinuousClock.now - start
        metrics.recordRequest(route: label, method: request.method.rawValue, status: response.status.code,
                              seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        return response
    }

    /// A rest-json operation under its path template.
    func awsRoute(_ router: Router<BasicRequestContext>, _ path: String, service: AWSServiceModel, label: String,
                  _ handler: @escaping @Sendable (AWSRequest, BasicRequestContext) async throws -> Response) {
        routes.add(path, method: "POST")
        router.on(RouterPath(path), method: .post) { [self] request, context in
            await answerAWS(request, context, service: service, label: label, handler)
        }
    }

    /// The application serving only the AWS routes, when they have a port of their own.
    func awsApplication(logLevel: Logger.Level = .notice, onRunning: @escaping @Sendable (Int) async -> Void) -> (any Service)? {
        guard let port = configuration.aws.port else { return nil }
        let router = Router()
        if let accessLog { router.add(middleware: AccessLogMiddleware(log: accessLog)) }
        router.add(middleware: UnmatchedRouteMiddleware(metrics: metrics, routes: routes))
        addAWSRoutes(to: router)
        return application(router: router, port: port, label: "inspect.serve.aws", logLevel: logLevel, onRunning: onRunning)
    }
}

/// An operation of a JSON 1.1 service, found by its `X-Amz-Target`.
struct AWSJSONOperation: Sendable {
    var service: AWSServiceModel
    var maxBodyBytes: Int?
    var handler: @Sendable (AWSRequest, BasicRequestContext) async throws -> Response
}

extension AWSServiceModel {
    /// The answer to a `POST /` whose target names no operation (JSON 1.1's own error).
    static let unknownJSONTarget = AWSServiceModel(name: "unknown", signingName: "", wire: .json11, messageMember: "message") { error in
        AWSError(error.status, error.code, error.message)
    }
}

extension InspectService {
    /// An AWS operation's JSON answer, captured like the native routes' answers (the record's
    /// route is the operation's label, e.g. `aws:lookoutvision:DetectAnomalies`).
    func awsAnswer<T: Encodable>(_ value: T, wire: AWSWireProtocol, route: String, input: @autoclosure () -> DataCapture.Input,
                                 inspection: CapturedInspection? = nil) -> Response {
        capture(value, route: route, input: input(), inspection: inspection)
        return AWSBody.json(value, wire: wire)
    }
}

/// JSON responses of the AWS routes.
enum AWSBody {
    static func json<T: Encodable>(_ value: T, wire: AWSWireProtocol) -> Response {
        var response = JSONBody.response(value)
        response.headers[.contentType] = wire.contentType
        return response
    }

    /// Decodes a JSON 1.1 request body; a body that is not the operation's JSON is AWS's
    /// SerializationException.
    static func decode<T: Decodable>(_ type: T.Type, from body: [UInt8]) throws -> T {
        do { return try JSONDecoder().decode(T.self, from: Data(body.isEmpty ? Array("{}".utf8) : body)) } catch {
            throw AWSError(.badRequest, "SerializationException", "the request body is not the operation's JSON: \(Self.describe(error))")
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "missing \(key.stringValue)"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        case DecodingError.dataCorrupted(let context): return context.debugDescription
        default: return "\(error)"
        }
    }
}
