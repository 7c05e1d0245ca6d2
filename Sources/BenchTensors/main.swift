// bench-tensors: prints machine-readable performance lines for tools/bench-tensors.sh.
//
//   bench-tensors [--threads N] [gemm] [depthwise] [bandwidth]
//
// Lines (one result each, space-separated key=value):
//   gemm shape=<name> m= n= k= threads= gflops=
//   bandwidth kind=copy|triad threads= gbps=
//   depthwise shape=<name> h= w= c= k= stride= threads= gbps= gflops=
// Every figure is measured here; nothing is typed in.
import Dispatch
import Foundation
import Tensors

var threads = WorkerPool.shared.threads
var sections: [String] = []
var args = CommandLine.arguments.dropFirst()
while let arg = args.popFirst() {
    if arg == "--threads", let value = args.popFirst().flatMap({ Int($0) }), value > 0 {
        threads = value
    } else if ["gemm", "depthwise", "bandwidth"].contains(arg) {
        sections.append(arg)
    } else {
        FileHandle.standardError.write("usage: bench-tensors [--threads N] [gemm] [depthwise] [bandwidth]\n".data(using: .utf8)!)
        exit(2)
    }
}
if sections.isEmpty { sections = ["gemm", "bandwidth", "depthwise"] }
WorkerPool.shared.threads = threads

/// Best time in seconds of `body` over several batches lasting about `budget` seconds in all.
func bestTime(budget: Double = 0.6, _ body: () -> Void) -> Double {
    body()  // warm-up: caches, page faults, worker wake-up
    var best = Double.infinity
    let start = DispatchTime.now().uptimeNanoseconds
    var runs = 0
    while runs < 3 || (Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 < budget && runs < 1000) {
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
    for (name, m, n, k) in shapes {
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
