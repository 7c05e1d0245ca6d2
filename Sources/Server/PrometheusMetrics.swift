import Foundation
import Prometheus

/// The service's metrics in a swift-prometheus registry, rendered in the Prometheus text
/// exposition format: request counts by route, method and status, request latency and
/// inference time histograms, queue gauges, and the process's own figures (`ProcessFigures`).
/// Each service has its own registry, so services in one process (tests) count apart.
public final class PrometheusMetrics: @unchecked Sendable {
    /// Histogram bucket upper bounds in seconds (cumulative `le` buckets plus +Inf).
    static let latencyBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
    private static var durationBuckets: [Duration] { latencyBuckets.map { .nanoseconds(Int64(($0 * 1e9).rounded())) } }

    private let registry = PrometheusCollectorRegistry()
    private let lock = NSLock()
    private var gaugeSources: [@Sendable () -> [(name: String, help: String, value: Double)]] = []
    private var labelledGaugeSources: [@Sendable () -> [LabelledGauge]] = []

    /// A gauge with labels, read at render time (the drift figures per model).
    struct LabelledGauge: Sendable {
        var name: String
        var help: String
        var labels: [(String, String)]
        var value: Double
    }
    private let rejected: Counter
    private let cpuSeconds: Counter
    private var cpuSecondsCounted = 0.0

    public init() {
        rejected = registry.makeCounter(descriptor: Self.named("inspect_inference_rejected_total",
                                                               "Requests answered 503 because the inference queue was full."))
        cpuSeconds = registry.makeCounter(descriptor: Self.named("process_cpu_seconds_total", "User and system CPU time of the process, in seconds."))
    }

    /// Adds gauges read at render time (queue depth, in-flight jobs, requests in flight).
    func addGauges(_ read: @escaping @Sendable () -> [(name: String, help: String, value: Double)]) {
        lock.withLock { gaugeSources.append(read) }
    }

    /// Adds labelled gauges read at render time.
    func addLabelledGauges(_ read: @escaping @Sendable () -> [LabelledGauge]) {
        lock.withLock { labelledGaugeSources.append(read) }
    }

    func recordRequest(route: String, method: String, status: Int, seconds: Double) {
        registry.makeCounter(descriptor: Self.named("inspect_http_requests_total", "HTTP requests answered, by route, method and status."),
                             labels: [("route", route), ("method", method), ("status", String(status))]).increment()
        registry.makeDurationHistogram(descriptor: Self.named("inspect_http_request_duration_seconds", "Time from request head to response, by route."),
                                       labels: [("route", route), ("method", method)], buckets: Self.durationBuckets)
            .record(Self.duration(seconds))
    }

    func recordInference(model: String, seconds: Double) {
        registry.makeDurationHistogram(descriptor: Self.named("inspect_inference_duration_seconds", "Time of one inference job (the photo's decoding included; a dynamic batch is one job), by model."),
                                       labels: [("model", model)], buckets: Self.durationBuckets)
            .record(Self.duration(seconds))
    }

    func recordRejection() { rejected.increment() }

    /// One batch of `size` requests run together (`DynamicBatcher`): their ratio is the mean batch size.
    func recordBatch(model: String, size: Int) {
        registry.makeCounter(descriptor: Self.named("inspect_batches_total", "Batches of requests run as one inference job, by model."),
                             labels: [("model", model)]).increment()
        registry.makeCounter(descriptor: Self.named("inspect_batched_requests_total", "Requests run in those batches, by model."),
                             labels: [("model", model)]).increment(by: Int64(size))
    }

    /// The text exposition, with the gauges and the process's figures read now.
    public func render() -> String {
        let (sources, labelledSources) = lock.withLock { (gaugeSources, labelledGaugeSources) }
        for gauge in sources.flatMap({ $0() }) {
            registry.makeGauge(descriptor: Self.named(gauge.name, gauge.help)).set(gauge.value)
        }
        for gauge in labelledSources.flatMap({ $0() }) {
            registry.makeGauge(descriptor: Self.named(gauge.name, gauge.help), labels: gauge.labels).set(gauge.value)
        }
        let process = ProcessFigures.read()
        if let rss = process.residentBytes {
            registry.makeGauge(descriptor: Self.named("process_resident_memory_bytes", "Resident memory of the process, in bytes.")).set(rss)
        }
        if let fds = process.openFileDescriptors {
            registry.makeGauge(descriptor: Self.named("process_open_fds", "Open file descriptors of the process.")).set(Double(fds))
        }
        // The counter only goes up: add the CPU time used since the last render.
        lock.withLock {
            let delta = process.cpuSeconds - cpuSecondsCounted
            if delta > 0 {
                cpuSeconds.increment(by: delta)
                cpuSecondsCounted = process.cpuSeconds
            }
        }
        return registry.emitToString()
    }

    /// A metric's whole name (no namespace or unit parts added) and its help line.
    private static func named(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    private static func duration(_ seconds: Double) -> Duration {
        .nanoseconds(Int64((max(0, seconds) * 1e9).rounded()))
    }
}
