import Foundation

/// Counters and histograms of the service, rendered in the Prometheus text exposition format
/// (https://prometheus.io/docs/instrumenting/exposition_formats/): request counts by route,
/// method and status, request latency and inference time histograms, queue gauges.
public final class PrometheusMetrics: @unchecked Sendable {
    /// Histogram bucket upper bounds in seconds (cumulative `le` buckets plus +Inf).
    static let latencyBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    private struct Histogram {
        var counts = [Int](repeating: 0, count: PrometheusMetrics.latencyBuckets.count)
        var sum = 0.0
        var count = 0
        mutating func observe(_ seconds: Double) {
            if let i = PrometheusMetrics.latencyBuckets.firstIndex(where: { seconds <= $0 }) { counts[i] += 1 }
            sum += seconds
            count += 1
        }
    }

    private struct RequestKey: Hashable { var route, method: String; var status: Int }
    private struct RouteKey: Hashable { var route, method: String }

    private let lock = NSLock()
    private var requests: [RequestKey: Int] = [:]
    private var latency: [RouteKey: Histogram] = [:]
    private var inference: [String: Histogram] = [:]
    private var rejected = 0
    private var gaugeSources: [@Sendable () -> [(name: String, help: String, value: Double)]] = []

    public init() {}

    /// Adds gauges read at render time (queue depth, in-flight jobs, requests in flight).
    func addGauges(_ read: @escaping @Sendable () -> [(name: String, help: String, value: Double)]) {
        lock.withLock { gaugeSources.append(read) }
    }

    func recordRequest(route: String, method: String, status: Int, seconds: Double) {
        lock.withLock {
            requests[RequestKey(route: route, method: method, status: status), default: 0] += 1
            latency[RouteKey(route: route, method: method), default: Histogram()].observe(seconds)
        }
    }

    func recordInference(model: String, seconds: Double) {
        lock.withLock { inference[model, default: Histogram()].observe(seconds) }
    }

    func recordRejection() { lock.withLock { rejected += 1 } }

    /// The number of requests counted for a route and status (for tests and the page).
    public func requestCount(route: String, status: Int) -> Int {
        lock.withLock { requests.filter { $0.key.route == route && $0.key.status == status }.values.reduce(0, +) }
    }

    /// The text exposition.
    public func render() -> String {
        let (requests, latency, inference, rejected, gauges) = lock.withLock { (self.requests, self.latency, self.inference, self.rejected, self.gaugeSources) }
        var out = ""
        out += "# HELP inspect_http_requests_total HTTP requests answered, by route, method and status.\n"
        out += "# TYPE inspect_http_requests_total counter\n"
        for (key, n) in requests.sorted(by: { ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status) }) {
            out += "inspect_http_requests_total{route=\"\(escape(key.route))\",method=\"\(key.method)\",status=\"\(key.status)\"} \(n)\n"
        }
        out += "# HELP inspect_http_request_duration_seconds Time from request head to response, by route.\n"
        out += "# TYPE inspect_http_request_duration_seconds histogram\n"
        for (key, h) in latency.sorted(by: { ($0.key.route, $0.key.method) < ($1.key.route, $1.key.method) }) {
            out += histogram("inspect_http_request_duration_seconds", labels: "route=\"\(escape(key.route))\",method=\"\(key.method)\"", h)
        }
        out += "# HELP inspect_inference_duration_seconds Model inference time (decode excluded), by model.\n"
        out += "# TYPE inspect_inference_duration_seconds histogram\n"
        for (model, h) in inference.sorted(by: { $0.key < $1.key }) {
            out += histogram("inspect_inference_duration_seconds", labels: "model=\"\(escape(model))\"", h)
        }
        out += "# HELP inspect_inference_rejected_total Requests answered 503 because the inference queue was full.\n"
        out += "# TYPE inspect_inference_rejected_total counter\n"
        out += "inspect_inference_rejected_total \(rejected)\n"
        for gauge in gauges.flatMap({ $0() }) {
            out += "# HELP \(gauge.name) \(gauge.help)\n# TYPE \(gauge.name) gauge\n\(gauge.name) \(number(gauge.value))\n"
        }
        return out
    }

    private func histogram(_ name: String, labels: String, _ h: Histogram) -> String {
        var out = ""
        var cumulative = 0
        for (bound, n) in zip(Self.latencyBuckets, h.counts) {
            cumulative += n
            out += "\(name)_bucket{\(labels),le=\"\(number(bound))\"} \(cumulative)\n"
        }
        out += "\(name)_bucket{\(labels),le=\"+Inf\"} \(h.count)\n"
        out += "\(name)_sum{\(labels)} \(number(h.sum))\n"
        out += "\(name)_count{\(labels)} \(h.count)\n"
        return out
    }

    private func number(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v) }
    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}
