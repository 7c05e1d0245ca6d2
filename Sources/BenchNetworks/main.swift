// bench-networks: EfficientNet-Lite0 inference figures for tools/bench-effnet.sh.
//
//   bench-networks [--models DIR] [--threads T] [--batch B] [--runs R] [--warmup W] [--profile]
//
// Prints one line `threads=T batch=B median_ms=... images_per_s=... peak_rss_mb=...`: the
// median wall time of R forward passes (logits) over a B x 224 x 224 x 3 batch, after W
// warm-up passes. --profile prints instead the median time of each layer at batch B.
import Foundation
import Networks
import Tensors

func option(_ name: String) -> String? {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
}

func intOption(_ name: String, _ fallback: Int) -> Int {
    guard let text = option(name) else { return fallback }
    guard let value = Int(text), value > 0 else {
        FileHandle.standardError.write(Data("error: \(name) needs a positive integer, got \(text)\n".utf8))
        exit(2)
    }
    return value
}

/// Peak resident set size of this process (VmHWM), in MB; 0 where /proc is absent.
func peakResidentMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = Double(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        return kb / 1024
    }
    return 0
}

func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    return s.isEmpty ? 0 : (s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2)
}

let threads = intOption("--threads", 1)
let batchSize = intOption("--batch", 1)
let runs = intOption("--runs", 50)
let warmup = intOption("--warmup", 5)
let models = URL(fileURLWithPath: option("--models") ?? "Models")
WorkerPool.shared.threads = threads

let network: EfficientNetLite0
do {
    network = try EfficientNetLite0.load(from: models)
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
var rng = SeededGenerator(seed: 7)
let size = EfficientNetLite0Architecture.inputSize
let batch = Tensor.randomNormal(shape: [batchSize, size, size, 3], using: &rng)

if CommandLine.arguments.contains("--profile") {
    for _ in 0..<warmup { _ = network.logits(batch) }
    var samples: [String: [Double]] = [:]
    var order: [String] = []
    for _ in 0..<runs {
        for (layer, seconds) in network.profile(batch) {
            if samples[layer] == nil { order.append(layer) }
            samples[layer, default: []].append(seconds)
        }
    }
    let total = order.map { median(samples[$0] ?? []) }.reduce(0, +)
    print("threads=\(threads) batch=\(batchSize): median per layer, total \(String(format: "%.3f", total * 1000)) ms")
    for layer in order {
        let t = median(samples[layer] ?? [])
        print(String(format: "%-44@ %8.3f ms %5.1f%%", layer as NSString, t * 1000, 100 * t / max(total, 1e-12)))
    }
    exit(0)
}

for _ in 0..<warmup { _ = network.logits(batch) }
var times: [Double] = []
for _ in 0..<runs {
    let start = DispatchTime.now().uptimeNanoseconds
    _ = network.logits(batch)
    times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}
let m = median(times)
print(String(format: "threads=%d batch=%d median_ms=%.3f images_per_s=%.1f peak_rss_mb=%.1f",
             threads, batchSize, m * 1000, Double(batchSize) / m, peakResidentMegabytes()))
