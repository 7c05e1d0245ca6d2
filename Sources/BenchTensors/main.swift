// bench-tensors: prints machine-readable performance lines for tools/bench/bench-tensors.sh.
//
//   bench-tensors [--threads N] [--only PREFIX] [gemm] [depthwise] [bandwidth]
//
// --only keeps the GEMM and depthwise shapes whose name starts with PREFIX.
// Lines (one result each, space-separated key=value):
//   gemm shape=<name> m= n= k= threads= gflops=
//   bandwidth kind=copy|triad threads= gbps=
//   peak kind=fma threads= gflops=          (measured FMA throughput, the GEMM ceiling)
//   depthwise shape=<name> h= w= c= k= stride= threads= gbps= gflops=
// Every figure is measured here; nothing is typed in.
import Dispatch
import Foundation
import Tensors
import SeededRandom
import WorkerThreads

var threads = WorkerPool.shared.threads
var sections: [String] = []
var only = ""
var args = CommandLine.arguments.dropFirst()
while let arg = args.popFirst() {
    if arg == "--threads", let value = args.popFirst().flatMap({ Int($0) }), value > 0 {
        threads = value
    } else if arg == "--only", let value = args.popFirst() {
        only = value
    } else if ["gemm", "depthwise", "bandwidth"].contains(arg) {
        sections.append(arg)
    } else {
        FileHandle.standardError.write("usage: bench-tensors [--threads N] [--only PREFIX] [gemm] [depthwise] [bandwidth]\n".data(using: .utf8)!)
        exit(2)
    }
}
if sections.isEmpty { sections = ["gemm", "bandwidth", "depthwise"] }
WorkerPool.shared.threads = threads

/// Seconds of repeated runs per measurement (BENCH_SECONDS, default 1): on a busy machine a
/// longer budget gives the best-of-runs timing more chances to catch an undisturbed run.
let defaultBudget = ProcessInfo.processInfo.environment["BENCH_SECONDS"].flatMap(Double.init) ?? 1

/// Best time in seconds of `body` over repeated runs lasting about `budget` seconds in all.
func bestTime(budget: Double = defaultBudget, _ body: () -> Void) -> Double {
    body()  // warm-up: caches, page faults, worker wake-up
    var best = Double.infinity
    let start = DispatchTime.now().uptimeNanoseconds
    var runs = 0
    while runs < 3 || (Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 < budget && runs < 5000) {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        let t1 = DispatchTime.now().uptimeNanoseconds
        best = min(best, Double(t1 - t0) * 1e-9)
        runs += 1
    }
    return best
}

func randomBuffer(_ count: Int, seed: UInt64) -> [Float] {
    var rng = SeededGenerator(seed: seed)
    return (0..<count).map { _ in Float.random(in: -1...1, using: &rng) }
}

func fmt(_ x: Double) -> String { String(format: "%.2f", x) }

/// The distinct GEMM shapes of EfficientNet-Lite0's 1x1 convolutions at 224x224 input:
/// M output pixels, K input channels, N output channels.
let efficientNetLite0PointwiseShapes: [(m: Int, k: Int, n: Int)] = [
    (12544, 32, 16), (12544, 16, 96), (3136, 96, 24), (3136, 24, 144), (3136, 144, 24),
    (784, 144, 40), (784, 40, 240), (784, 240, 40), (196, 240, 80), (196, 80, 480),
    (196, 480, 80), (196, 480, 112), (196, 112, 672), (196, 672, 112), (49, 672, 192),
    (49, 192, 1152), (49, 1152, 192), (49, 1152, 320), (49, 320, 1280),
]

if sections.contains("gemm") {
    var shapes: [(String, Int, Int, Int)] = [256, 512, 1024, 2048].map { ("square\($0)", $0, $0, $0) }
    shapes += efficientNetLite0PointwiseShapes.map { ("effnet_\($0.m)x\($0.k)to\($0.n)", $0.m, $0.n, $0.k) }
    for (name, m, n, k) in shapes where name.hasPrefix(only) {
        let a = randomBuffer(m * k, seed: 1), b = randomBuffer(k * n, seed: 2)
        var c = [Float](repeating: 0, count: m * n)
        let seconds = a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    bestTime {
                        sgemm(transA: false, transB: false, m: m, n: n, k: k, a: pa.baseAddress!, lda: k,
                              b: pb.baseAddress!, ldb: n, c: pc.baseAddress!, ldc: n)
                    }
                }
            }
        }
        print("gemm shape=\(name) m=\(m) n=\(n) k=\(k) threads=\(threads) gflops=\(fmt(2.0 * Double(m * n * k) / seconds * 1e-9))")
    }
}

/// The im2col GEMMs of the face networks as one band of `conv2d` runs them on a batch of 14
/// chips (one face: 7 boxes, each mirrored), with the weights prepacked as `Conv2D` holds them:
/// M patch rows of the band, K = KH*KW*Cin, N output channels.
let faceConvolutionBandShapes: [(name: String, m: Int, k: Int, n: Int)] = [
    ("faces_age_stem7x7", 435, 147, 64), ("faces_age_res64", 266, 576, 64), ("faces_age_res128", 252, 1152, 128),
    ("faces_age_res256", 56, 2304, 256), ("faces_gender_conv1", 256, 288, 32), ("faces_gender_conv3", 256, 576, 64),
]

if sections.contains("gemm") {
    for (name, m, k, n) in faceConvolutionBandShapes where name.hasPrefix(only) {
        let a = randomBuffer(m * k, seed: 1), b = randomBuffer(k * n, seed: 2)
        let packed = b.withUnsafeBufferPointer { PackedMatrix($0.baseAddress!, rows: k, columns: n, ld: n) }
        var c = [Float](repeating: 0, count: m * n)
        let seconds = a.withUnsafeBufferPointer { pa in
            c.withUnsafeMutableBufferPointer { pc in
                bestTime { sgemm(m: m, a: pa.baseAddress!, lda: k, packedB: packed, c: pc.baseAddress!, ldc: n, activation: .relu) }
            }
        }
        print("gemm shape=\(name) m=\(m) n=\(n) k=\(k) threads=\(threads) gflops=\(fmt(2.0 * Double(m * n * k) / seconds * 1e-9))")
    }
}

/// Runs `body(range)` over 0..<n split evenly across the pool's threads.
func parallelSplit(_ n: Int, _ body: @escaping (Range<Int>) -> Void) {
    let t = WorkerPool.shared.threads
    WorkerPool.shared.parallelFor(count: t) { job in body((n * job / t)..<(n * (job + 1) / t)) }
}

if sections.contains("bandwidth") {
    // FMA peak: independent SIMD16 accumulator chains per thread, enough to cover the FMA
    // latency on both pipes: six on AVX2 (twelve ymm registers), twelve with AVX-512 (a core
    // with two 512-bit FMA units at 4 cycles' latency needs eight; six read about 0.85 of the
    // peak on an Intel Xeon). 32 flops per SIMD16 FMA.
    #if INSPECT_HOST_AVX512
    let chains = 12
    #else
    let chains = 6
    #endif
    let iterations = 20_000_000
    let sums = UnsafeMutablePointer<Float>.allocate(capacity: threads)
    let peak = bestTime {
        WorkerPool.shared.parallelFor(count: threads) { job in
            let x = SIMD16<Float>(repeating: 0.999_999), y = SIMD16<Float>(repeating: 1e-7)
            var a0 = SIMD16<Float>(repeating: Float(job)), a1 = a0 + 1, a2 = a0 + 2, a3 = a0 + 3, a4 = a0 + 4, a5 = a0 + 5
            #if INSPECT_HOST_AVX512
            var b0 = a0 + 6, b1 = a0 + 7, b2 = a0 + 8, b3 = a0 + 9, b4 = a0 + 10, b5 = a0 + 11
            #endif
            for _ in 0..<iterations {
                a0 = y.addingProduct(a0, x); a1 = y.addingProduct(a1, x); a2 = y.addingProduct(a2, x)
                a3 = y.addingProduct(a3, x); a4 = y.addingProduct(a4, x); a5 = y.addingProduct(a5, x)
                #if INSPECT_HOST_AVX512
                b0 = y.addingProduct(b0, x); b1 = y.addingProduct(b1, x); b2 = y.addingProduct(b2, x)
                b3 = y.addingProduct(b3, x); b4 = y.addingProduct(b4, x); b5 = y.addingProduct(b5, x)
                #endif
            }
            #if INSPECT_HOST_AVX512
            a0 += b0 + b1 + b2 + b3 + b4 + b5
            #endif
            sums[job] = (a0 + a1 + a2 + a3 + a4 + a5).sum()
        }
    }
    let checksum = (0..<threads).reduce(Float(0)) { $0 + sums[$1] }
    sums.deallocate()
    print("peak kind=fma threads=\(threads) gflops=\(fmt(Double(threads * iterations * chains * 32) / peak * 1e-9)) checksum=\(checksum)")

    // STREAM-like kernels (McCalpin) on arrays far larger than the caches. Bytes counted as in
    // STREAM: copy reads and writes one array (2 x 4 bytes per element), triad reads two and
    // writes one (3 x 4 bytes).
    let n = 1 << 24
    let a = UnsafeMutablePointer<Float>.allocate(capacity: n), b = UnsafeMutablePointer<Float>.allocate(capacity: n)
    let c = UnsafeMutablePointer<Float>.allocate(capacity: n)
    parallelSplit(n) { r in for i in r { a[i] = 1; b[i] = 2; c[i] = 0 } }  // first touch on the worker threads
    let copy = bestTime { parallelSplit(n) { r in (c + r.lowerBound).update(from: a + r.lowerBound, count: r.count) } }
    let triad = bestTime { parallelSplit(n) { r in for i in r { a[i] = b[i] + 3 * c[i] } } }
    print("bandwidth kind=copy threads=\(threads) gbps=\(fmt(Double(2 * 4 * n) / copy * 1e-9))")
    print("bandwidth kind=triad threads=\(threads) gbps=\(fmt(Double(3 * 4 * n) / triad * 1e-9))")
    a.deallocate(); b.deallocate(); c.deallocate()
}

if sections.contains("depthwise") {
    // EfficientNet-Lite0's depthwise layers at 224x224 (input size, channels, kernel, stride),
    // and one batch-8 layer far larger than the caches. Bytes are the minimum traffic: input,
    // output and weights once each.
    let layers: [(n: Int, hw: Int, c: Int, k: Int, s: Int)] = [
        (1, 112, 32, 3, 1), (1, 112, 96, 3, 2), (1, 56, 144, 3, 1), (1, 56, 144, 5, 2), (1, 28, 240, 5, 1),
        (1, 28, 240, 3, 2), (1, 14, 480, 3, 1), (1, 14, 672, 5, 1), (1, 14, 672, 5, 2), (1, 7, 1152, 5, 1),
        (1, 7, 1152, 3, 1), (8, 112, 96, 3, 1),
    ]
    for layer in layers {
        let name = "n\(layer.n)_\(layer.hw)x\(layer.hw)x\(layer.c)_k\(layer.k)s\(layer.s)"
        if !name.hasPrefix(only) { continue }
        var rng = SeededGenerator(seed: 3)
        let x = Tensor.randomUniform(shape: [layer.n, layer.hw, layer.hw, layer.c], in: -1...1, using: &rng)
        let w = Tensor.randomUniform(shape: [layer.k, layer.k, 1, layer.c], in: -1...1, using: &rng)
        let bias = Tensor(shape: [layer.c])
        let config = Conv2DConfig(stride: layer.s, padding: .same, groups: layer.c)
        let out = conv2d(x, weight: w, bias: bias, config: config, activation: .relu6)
        let seconds = bestTime(budget: defaultBudget / 2) { _ = conv2d(x, weight: w, bias: bias, config: config, activation: .relu6, out: out) }
        let bytes = Double(4 * (x.count + out.count + w.count + bias.count))
        let flops = Double(2 * out.count * layer.k * layer.k)
        print("depthwise shape=\(name) threads=\(threads) "
              + "gbps=\(fmt(bytes / seconds * 1e-9)) gflops=\(fmt(flops / seconds * 1e-9))")
    }
}
