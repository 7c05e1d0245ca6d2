import Foundation

/// Where the service listens and how it behaves.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 lets the system choose a free port (tests); the chosen one is reported when running.
    public var port = 8080
    public var limits = ServerLimits()
    /// Dynamic batching of inspection and face detect requests (off by default).
    public var batching = BatchingSettings()
    public var capture: CaptureSettings?
    /// One line per request (`inspect serve` logs to standard error unless told otherwise).
    public var accessLog: AccessLogDestination
    /// The AWS-compatible routes: their port and the access keys whose signatures they accept.
    public var aws = AWSSettings()
    /// The bearer token of `POST /v1/models/reload`; nil turns the route off (404).
    public var adminToken: String?
    /// Told about every reload of the models (`inspect serve` logs it to standard error).
    public var reloadLog: (@Sendable (ModelReload) -> Void)?

    public init(host: String = "127.0.0.1", port: Int = 8080, limits: ServerLimits = ServerLimits(), capture: CaptureSettings? = nil,
                accessLog: AccessLogDestination = .off) {
        self.host = host
        self.port = port
        self.limits = limits
        self.capture = capture
        self.accessLog = accessLog
    }
}
