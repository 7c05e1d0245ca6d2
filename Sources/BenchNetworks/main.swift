// bench-networks: EfficientNet-Lite0 inference figures for tools/bench/bench-effnet.sh.
//
//   bench-networks [--models DIR] [--threads T] [--batch B] [--runs R] [--warmup W] [--size WxH] [--profile]
//
// Prints one line `threads=T batch=B median_ms=... images_per_s=... cpu_ms_per_image=... peak_rss_mb=... gflops=...`: the
// median wall time of R forward passes (logits) over a B x 224 x 224 x 3 batch (--size: another
// input size, such as the inspection models' 320x224), after W
// warm-up passes, and the process CPU time per image (less sensitive to other load on the
// machine than wall time). --profile prints instead each layer's fastest time over the R runs at batch B,
// its share of the sum of the fastest times, and its median and 90th-percentile times (how steady it is).
import Foundation
import Networks
import Tensors
import SeededRandom
import WorkerThreads

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
var (width, height) = (size, size)
if let text = option("--size") {
    let parts = text.split(separator: "x").compactMap { Int($0) }
    guard parts.count == 2, parts.allSatisfy({ $0 >= 32 && $0 % 32 == 0 }) else {
        FileHandle.standardError.write(Data("error: --size needs WxH, multiples of 32, got \(text)\n".utf8))
        exit(2)
    }
    (width, height) = (parts[0], parts[1])
}
let batch = Tensor.randomNormal(shape: [batchSize, height, width, 3], using: &rng)

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
    // The fastest of the runs: the figure least disturbed by other processes on the machine.
    let total = order.map { samples[$0]?.min() ?? 0 }.reduce(0, +)
    print("threads=\(threads) batch=\(batchSize): fastest run of each layer, total \(String(format: "%.3f", total * 1000)) ms")
    for layer in order {
        let sorted = (samples[layer] ?? [0]).sorted()
        let t = sorted[0]
        print(String(format: "%-44@ %8.3f ms %5.1f%%  median %8.3f ms  p90 %8.3f ms", layer as NSString, t * 1000,
                     100 * t / max(total, 1e-12), sorted[sorted.count / 2] * 1000, sorted[sorted.count * 9 / 10] * 1000))
    }
    // What packing the weights on every call would cost: a 6-row GEMM (one micro-kernel row
    // tile) with each layer's weights is almost only the packing of the weight matrix, which
    // plain sgemm redoes on every call; the network uses the weights prepacked at load.
    var shapes: [(cin: Int, cout: Int)] = []
    for spec in EfficientNetLite0Architecture.blocks {
        if spec.hasExpansion { shapes.append((spec.inputChannels, spec.expandedChannels)) }
        shapes.append((spec.expandedChannels, spec.outputChannels))
    }
    shapes.append((EfficientNetLite0Architecture.blocks.last?.outputChannels ?? 320, EfficientNetLite0Architecture.headChannels))
    shapes.append((EfficientNetLite0Architecture.headChannels, EfficientNetLite0Architecture.classes))
    var plainTotal = 0.0, prepackedTotal = 0.0
    func fastest(_ body: () -> Void) -> Double {
        var best = Double.infinity
        for _ in 0..<max(3, runs) {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return best
    }
    for (cin, cout) in shapes {
        let a = Tensor(shape: [6, cin], repeating: 1), b = Tensor(shape: [cin, cout], repeating: 1), c = Tensor(shape: [6, cout])
        let packed = PackedMatrix(b)
        plainTotal += fastest {
            sgemm(transA: false, transB: false, m: 6, n: cout, k: cin, a: a.data, lda: cin, b: b.data, ldb: cout, c: c.data, ldc: cout)
        }
        prepackedTotal += fastest { sgemm(m: 6, a: a.data, lda: cin, packedB: packed, c: c.data, ldc: cout) }
    }
    print(String(format: "weight packing: a 6-row GEMM with each of the %d 1x1/classifier weight matrices takes %.3f ms in all with plain sgemm (packs per call), %.3f ms prepacked (as the network runs)",
                 shapes.count, plainTotal * 1000, prepackedTotal * 1000))
    exit(0)
}

/// CPU time used by the whole process so far (all threads), in seconds.
func processCPUSeconds() -> Double {
    Double(clock()) / Double(CLOCKS_PER_SEC)
}

for _ in 0..<warmup { _ = network.logits(batch) }
let cpuStart = processCPUSeconds()
var times: [Double] = []
for _ in 0..<runs {
    let start = DispatchTime.now().uptimeNanoseconds
    _ = network.logits(batch)
    times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}
let m = median(times)
let cpuPerImage = (processCPUSeconds() - cpuStart) / Double(runs * batchSize)
// Achieved GFLOPS: the network's multiply-adds (2 operations each) per second of wall time.
let flopsPerImage = 2 * Double(EfficientNetLite0Architecture.multiplyAdds(height: height, width: width))
print(String(format: "threads=%d batch=%d median_ms=%.3f images_per_s=%.1f cpu_ms_per_image=%.3f peak_rss_mb=%.1f gflops=%.1f",
             threads, batchSize, m * 1000, Double(batchSize) / m, cpuPerImage * 1000, peakResidentMegabytes(),
             flopsPerImage * Double(batchSize) / m / 1e9))
