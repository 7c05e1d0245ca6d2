// Per-layer wall-clock timing for profiling a network's forward pass (bench-networks --profile).
import Dispatch

final class LayerTimer {
    private(set) var entries: [(layer: String, seconds: Double)] = []

    /// Runs `body` and records its duration under `layer`.
    func measure<T>(_ layer: @autoclosure () -> String, _ body: () -> T) -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        let result = body()
        entries.append((layer(), Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
        return result
    }
}

extension Optional where Wrapped == LayerTimer {
    /// `body` timed when there is a timer, run directly otherwise.
    func measure<T>(_ layer: @autoclosure () -> String, _ body: () -> T) -> T {
        switch self {
        case .some(let timer): return timer.measure(layer(), body)
        case .none: return body()
        }
    }
}
