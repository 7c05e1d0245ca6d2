import Foundation

/// Limits of the service, with SageMaker-like defaults.
public struct ServerLimits: Sendable {
    /// SageMaker real-time endpoints accept at most 6 MB per request.
    public static let defaultMaxBodyBytes = 6_000_000
    public var maxBodyBytes = ServerLimits.defaultMaxBodyBytes
    /// Inference threads: jobs running at once. A job running alone splits its layers across
    /// the cores of the shared pool.
    public var inferenceThreads = 1
    /// Jobs that may wait for an inference thread; beyond this a request gets 503 with Retry-After.
    public var inferenceQueueCapacity = 16
    /// The Retry-After a 503 suggests.
    public var retryAfterSeconds = 1
    /// Longest time one request may take, from headers to response.
    public var requestTimeoutSeconds: Double = 30
    /// Largest decoded image accepted, in pixels.
    public var maxImagePixels = 40_000_000
    /// For tests of queueing, timeouts and shutdown only: each inference job sleeps this long first.
    public var artificialInferenceDelaySeconds: Double = 0

    public init() {}
}
