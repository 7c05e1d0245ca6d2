import Foundation
import HTTPTypes
import Inspection
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// The HTTP service: routes, limits, metrics, inference queue and data capture around the
/// loaded models. `run()` serves until SIGTERM or SIGINT, then stops accepting connections
/// and finishes the requests in flight (Hummingbird's graceful shutdown through
/// swift-service-lifecycle); SIGHUP reloads the inspection models (`reloadModels`).
public final class InspectService: Sendable {
    public let configuration: ServerConfiguration
    /// The catalog answering now; a reload swaps it in one step.
    let catalog: CatalogState
    /// Reloads run one at a time, here.
    let reloads = DispatchQueue(label: "inspect.reload")
    public let metrics = PrometheusMetrics()
    let queue: InferenceQueue
    /// Groups detect requests into batches (`--max-batch` above 1); nil: one request per job.
    let batcher: DynamicBatcher?
    let capture: DataCapture?
    let body: BodyReader
    let deadlines: RequestDeadlines
    let routes = RouteTable()
    let accessLog: AccessLog?
    let drift = DriftGauges()
    let started = Date()

    public init(configuration: ServerConfiguration, models: ModelCatalog) throws {
        try configuration.aws.checkBind(host: configuration.host)
        self.configuration = configuration
        catalog = CatalogState(models)
        queue = InferenceQueue(limits: configuration.limits, metrics: metrics)
        batcher = configuration.batching.isEnabled
            ? DynamicBatcher(settings: configuration.batching, limits: configuration.limits, queue: queue, metrics: metrics) : nil
        capture = try configuration.capture.map(DataCapture.init)
        body = BodyReader(limits: configuration.limits)
        deadlines = RequestDeadlines(timeoutSeconds: configuration.limits.requestTimeoutSeconds)
        accessLog = try AccessLog(configuration.accessLog)
        metrics.addGauges { [deadlines] in
            [("inspect_requests_in_flight", "Requests being handled now (each holds a deadline entry).", Double(deadlines.count))]
        }
        metrics.addLabelledGauges { [drift] in drift.readings() }
    }

    /// The application; `onRunning` gets the bound port once listening.
    public func application(logLevel: Logger.Level = .notice, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router()
        if let accessLog { router.add(middleware: AccessLogMiddleware(log: accessLog)) }
        router.add(middleware: UnmatchedRouteMiddleware(metrics: metrics, routes: routes))
        addRoutes(to: router)
        return application(router: router, port: configuration.port, label: "inspect.serve", logLevel: logLevel, onRunning: onRunning)
    }

    /// `router` served on `port` of the configured host.
    func application(router: Router<BasicRequestContext>, port: Int, label: String, logLevel: Logger.Level,
                     onRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        var logger = Logger(label: label)
        logger.logLevel = logLevel
        return Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: [MalformedRequestHandler()])),
            configuration: .init(address: .hostname(configuration.host, port: port), serverName: "inspect"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// The models answering now (a reload replaces them; read once per request).
    public var models: ModelCatalog { catalog.current }

    /// Serves until SIGTERM/SIGINT, finishing requests in flight before returning; each
    /// SIGHUP reloads the inspection models. With an AWS port of their own, the AWS-compatible
    /// routes listen there too (`onAWSRunning`).
    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in },
                    onAWSRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        // Trapped before the server listens, so no SIGHUP after the startup message ends the process.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        var services: [any Service] = [application(onRunning: onRunning), ReloadOnHangup(service: self, signals: hangups)]
        if let aws = awsApplication(onRunning: onAWSRunning) { services.append(aws) }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                                                      logger: Logger(label: "inspect.serve")))
        do {
            try await group.run()
        } catch {
            throw StartError.listening(error, host: configuration.host, port: configuration.port) ?? error
        }
    }

    func addRoutes(to router: Router<BasicRequestContext>) {
        route(router, .get, "/healthz") { _, _ in
            JSONBody.response(["status": "ok"])
        }
        route(router, .get, "/metrics") { [metrics] _, _ in
            JSONBody.bytes(Array(metrics.render().utf8), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        addModelRoutes(to: router)
        addSurvivalRoutes(to: router)
        addFaceRoutes(to: router)
        addInspectionRoutes(to: router)
        if configuration.aws.port == nil { addAWSRoutes(to: router) }
        addWebPage(to: router)
    }

    /// Registers a handler under its route template (`label` names it in metrics when the
    /// path has parameters): the handler's time is bounded by the
    /// request timeout, any error becomes the JSON error response, and the request is counted.
    func route(_ router: Router<BasicRequestContext>, _ method: HTTPRequest.Method, _ path: String, label: String? = nil,
               _ handler: @escaping @Sendable (Request, BasicRequestContext) async throws -> Response) {
        let metrics = self.metrics
        let timeout = configuration.limits.requestTimeoutSeconds
        let deadlines = self.deadlines
        routes.add(path, method: method.rawValue)
        router.on(RouterPath(path), method: method) { request, context -> Response in
            let start = ContinuousClock.now
            let response: Response
            do {
                response = try await withTimeout(seconds: timeout, deadlines: deadlines) { try await handler(request, context) }
            } catch {
                response = APIError.from(error).response
            }
            let elapsed = ContinuousClock.now - start
            metrics.recordRequest(route: label ?? path, method: method.rawValue, status: response.status.code,
                                  seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            return response
        }
    }

    /// Encodes a result, capturing it (and its input, and for inspections what monitoring
    /// needs) for the sampled share of requests.
    func answer<T: Encodable>(_ value: T, route: String, input: @autoclosure () -> DataCapture.Input,
                              inspection: CapturedInspection? = nil) -> Response {
        capture(value, route: route, input: input(), inspection: inspection)
        return JSONBody.response(value)
    }

    /// Writes the capture record of an answered request (its input, the answer, and for
    /// inspections what monitoring needs) when capture is on and this request is sampled.
    func capture<T: Encodable>(_ value: T, route: String, input: @autoclosure () -> DataCapture.Input,
                               inspection: CapturedInspection? = nil) {
        capture(encoded: (try? JSONBody.encode(value)), responseType: "application/json", route: route, input: input(),
                inspection: inspection)
    }

    /// The same for an answer already encoded (`responseType` names its media type); nothing is
    /// written when the answer could not be encoded.
    func capture(encoded response: @autoclosure () -> Data?, responseType: String, route: String,
                 input: @autoclosure () -> DataCapture.Input, inspection: CapturedInspection? = nil) {
        if let capture, capture.sample(), let data = response() {
            capture.write(route: route, input: input(), status: 200, response: data, responseType: responseType,
                          inspection: inspection)
        }
    }
}

/// Reloads the models on each SIGHUP until the graceful shutdown (swift-service-lifecycle's
/// signal sequence: the signal is caught by a dispatch source, so it no longer ends the process).
struct ReloadOnHangup: Service {
    let service: InspectService
    let signals: UnixSignalsSequence

    func run() async throws {
        for try await _ in signals.cancelOnGracefulShutdown() {
            _ = await service.reloadModels(trigger: "SIGHUP")
        }
    }
}

/// Runs `body` as its own task; when its deadline (kept by `deadlines`) passes first, the
/// timer cancels that task and the answer is 408 while the request body was still arriving
/// (`UploadProgress`), 504 otherwise. An inference the body waits for answers the
/// cancellation at once (InferenceQueue), so the response is not held back by a slow job.
func withTimeout<T: Sendable>(seconds: Double, deadlines: RequestDeadlines,
                              _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    // Registered before the work starts, so even a request that finishes at once is counted
    // in flight while it runs (the cancel box cancels a task set later at once).
    let cancel = CancelBox()
    let token = deadlines.register(seconds: seconds) { cancel.cancel() }
    defer { deadlines.remove(token) }
    let upload = UploadProgress()
    // The task inherits the task-local progress, so the body reader it calls can mark it.
    let work = UploadProgress.$current.withValue(upload) { Task { try await body() } }
    cancel.set { work.cancel() }
    do {
        return try await withTaskCancellationHandler { try await work.value } onCancel: { work.cancel() }
    } catch {
        if token.expired { throw upload.reading ? APIError.requestTimeout(seconds: seconds) : APIError.timeout(seconds: seconds) }
        throw error
    }
}

/// Requests no route matched: the JSON error shape, counted as route "unmatched"; 405 with
/// `Allow` when the path is a route's with another method, else 404.
struct UnmatchedRouteMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let metrics: PrometheusMetrics
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            var apiError = APIError.from(error)
            if apiError.status == .notFound {
                let allowed = routes.methods(for: request.uri.path)
                if !allowed.isEmpty, !allowed.contains(request.method.rawValue) {
                    apiError = .methodNotAllowed(request.method.rawValue, path: request.uri.path, allowed: allowed)
                } else {
                    apiError.message = "no route \(request.method.rawValue) \(request.uri.path)"
                }
            }
            metrics.recordRequest(route: "unmatched", method: request.method.rawValue, status: apiError.status.code, seconds: 0)
            return apiError.response
        }
    }
}
