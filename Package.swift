// swift-tools-version:6.0
// Inspect: visual anomaly inspection, faces and tabular models on our own SIMD kernels.
//
// Layers (docs/ARCHITECTURE.md), dependencies pointing downwards only:
//   WorkerThreads (Foundation only: the worker pool) -> Imaging, Tensors and every layer above
//   CPNG, CJPEG (system libraries) -> CCodecs (setjmp-guarded C shims) -> Imaging
//   Tensors -> Networks; (Imaging, Networks) -> Inspection, Faces
//   CSHA256 (SHA-NI blocks) -> Checksums (SHA-256) -> Networks, Inspection, the CLI (tabular provenance)
//   ClassifierMetrics (Foundation only: confusion matrix, AUROC, ROC, AP, log loss) -> Tabular, Inspection
//   Tabular (Foundation only)
//   SeededRandom (Foundation only: the SplitMix64 generator) -> Tensors, Tabular, Inspection, benches
//   ModelCards (Foundation only: the one JSON model-card reader) -> Tabular, Networks
//   DriftStatistics (Foundation + SeededRandom: PSI, Kolmogorov-Smirnov, binomial test, MMD) -> Inspection, Server
//   HTMLReports (Foundation only: self-contained HTML pages and inline SVG charts) -> Inspection
//   (Imaging, Tabular) -> ScoreShards (shard assignment, resuming and merging score outputs) -> the CLI
//   InspectCLI (`inspect`, the only target besides Server that may use Swift packages)
//   Server uses Hummingbird, multipart-kit, swift-metrics and swift-prometheus
//
// Release builds compile the numeric targets for the host CPU (`-target-cpu native` and
// `-march=native`), which turns SIMD16<Float> into AVX-512 FMA on this machine. For a binary
// that runs on any x86-64 (or arm64) machine, build with INSPECT_PORTABLE=1 in the environment:
//     INSPECT_PORTABLE=1 swift build -c release
import PackageDescription
import Foundation

let portable = ProcessInfo.processInfo.environment["INSPECT_PORTABLE"].map { $0 != "0" && !$0.isEmpty } ?? false

/// Whether the host CPU has AVX-512: then host-CPU builds make each SIMD16<Float> one zmm
/// register, and the INSPECT_HOST_AVX512 condition lets the GEMM use its 6 x 32 kernel.
let hostHasAVX512 = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.contains(" avx512f") ?? false
/// Host-CPU code generation for release builds, with INSPECT_HOST_AVX512 on an AVX-512 host,
/// unless INSPECT_PORTABLE is set (then the INSPECT_PORTABLE condition tells the kernels that
/// x86-64 has no FMA instruction).
let nativeSwift: [SwiftSetting] = portable ? [.define("INSPECT_PORTABLE")] : [
    .unsafeFlags(["-target-cpu", "native"], .when(configuration: .release)),
] + (hostHasAVX512 ? [.define("INSPECT_HOST_AVX512", .when(configuration: .release))] : [])
let nativeC: [CSetting] = portable ? [] : [
    .unsafeFlags(["-march=native"], .when(configuration: .release)),
]
/// Numeric code: no exclusivity checks in the hot loops of release builds.
let numericSwift: [SwiftSetting] = nativeSwift + [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "Inspect",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "inspect", targets: ["InspectCLI"]),
        .executable(name: "bench-imaging", targets: ["BenchImaging"]),
        .executable(name: "imaging-robustness", targets: ["ImagingRobustness"]),
        .library(name: "Imaging", targets: ["Imaging"]),
        .library(name: "Tensors", targets: ["Tensors"]),
        .library(name: "Tabular", targets: ["Tabular"]),
        .library(name: "Networks", targets: ["Networks"]),
        .library(name: "Faces", targets: ["Faces"]),
        .library(name: "Inspection", targets: ["Inspection"]),
        .executable(name: "bench-tensors", targets: ["BenchTensors"]),
        .executable(name: "bench-networks", targets: ["BenchNetworks"]),
        .executable(name: "bench-faces", targets: ["BenchFaces"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        // The server edge: multipart/form-data parsing and the Prometheus exposition
        // (swift-prometheus builds on apple/swift-metrics, resolved at 2.13.0).
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // HMAC-SHA256 and SHA-256 for AWS Signature Version 4, at the AWS-compatible edge only.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // C shims: module maps for the system libraries, found with pkg-config.
        .systemLibrary(name: "CPNG", pkgConfig: "libpng16",
                       providers: [.apt(["libpng-dev"]), .brew(["libpng"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg",
                       providers: [.apt(["libjpeg-dev"]), .brew(["jpeg-turbo"])]),
        // All libpng/libjpeg calls happen in C behind setjmp, so neither library's error
        // handling (longjmp in libpng, exit() in libjpeg's default error_exit) reaches Swift.
        .target(name: "CCodecs", dependencies: ["CPNG", "CJPEG"],
                cSettings: nativeC + [.unsafeFlags(["-O2"])]),

        // SHA-256 blocks on the x86 SHA extensions (checked at run time; any x86-64 builds it).
        .target(name: "CSHA256", cSettings: [.unsafeFlags(["-O2"])]),
        .target(name: "Checksums", dependencies: ["CSHA256"], swiftSettings: numericSwift),
        .target(name: "WorkerThreads"),
        .target(name: "Imaging", dependencies: ["CCodecs", "WorkerThreads"], swiftSettings: numericSwift),
        .target(name: "SeededRandom"),
        .target(name: "Tensors", dependencies: ["SeededRandom", "WorkerThreads"], swiftSettings: numericSwift),
        .target(name: "ClassifierMetrics"),
        .target(name: "ModelCards"),
        .target(name: "DriftStatistics", dependencies: ["SeededRandom"]),
        .target(name: "HTMLReports"),
        .target(name: "Tabular", dependencies: ["ClassifierMetrics", "ModelCards", "SeededRandom"], swiftSettings: numericSwift),
        .target(name: "Networks", dependencies: ["Checksums", "ModelCards", "SeededRandom", "Tensors", "WorkerThreads"], swiftSettings: numericSwift),
        .target(name: "Faces", dependencies: ["Imaging", "ModelCards", "Networks", "WorkerThreads"], swiftSettings: numericSwift),
        .target(name: "Inspection", dependencies: ["Checksums", "ClassifierMetrics", "DriftStatistics", "HTMLReports", "Imaging", "ModelCards", "Networks", "SeededRandom", "WorkerThreads"], swiftSettings: numericSwift),
        // `bench-tensors`: GEMM, depthwise and memory-bandwidth figures for tools/bench/bench-tensors.sh.
        .target(name: "ScoreShards", dependencies: ["Imaging", "Tabular"]),
        .executableTarget(name: "BenchTensors", dependencies: ["SeededRandom", "Tensors", "WorkerThreads"], swiftSettings: numericSwift),
        // `bench-networks`: EfficientNet-Lite0 latency and throughput for tools/bench/bench-effnet.sh.
        .executableTarget(name: "BenchNetworks", dependencies: ["Networks", "SeededRandom", "Tensors", "WorkerThreads"], swiftSettings: numericSwift),

        // HTTP API and web page (the only library target allowed Swift packages: Hummingbird,
        // multipart-kit, swift-prometheus on swift-metrics, and swift-crypto for the SigV4
        // check of the AWS-compatible routes).
        .target(name: "Server",
                dependencies: [
                    "WorkerThreads", "Imaging", "Tensors", "Tabular", "Faces", "Inspection", "DriftStatistics",
                    .product(name: "Hummingbird", package: "hummingbird"),
                    .product(name: "MultipartKit", package: "multipart-kit"),
                    .product(name: "Prometheus", package: "swift-prometheus"),
                    .product(name: "Crypto", package: "swift-crypto"),
                ],
                resources: [.embedInCode("Web/index.html")],
                swiftSettings: nativeSwift),

        .executableTarget(
            name: "InspectCLI",
            dependencies: [
                "WorkerThreads", "Checksums", "DriftStatistics", "Imaging", "Tensors", "Networks", "Tabular", "Inspection", "Faces", "Server", "ScoreShards",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: nativeSwift),

        // Benchmarks, run by the tools/bench/*.sh scripts beside their reference engines.
        .executableTarget(name: "BenchImaging", dependencies: ["Imaging", "WorkerThreads"], swiftSettings: nativeSwift),
        .executableTarget(name: "BenchFaces", dependencies: ["Faces", "Imaging", "WorkerThreads"], swiftSettings: nativeSwift),
        // Decoder torture (truncations, mutations), run under sanitizers by tools/test.sh.
        .executableTarget(name: "ImagingRobustness", dependencies: ["Imaging", "SeededRandom"]),

        // Helpers of the test targets only: comparisons that log their max difference, finite
        // differences, seeded data, fixture and model paths.
        .target(name: "TestSupport", dependencies: ["SeededRandom", "Tensors", "WorkerThreads"], path: "Tests/TestSupport"),
        // The segmentation tests' shared setup (a two-type model on generated surfaces).
        .target(name: "InspectionTestSupport", dependencies: ["Inspection"], path: "Tests/InspectionTestSupport"),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "ImagingRobustness", "TestSupport", "WorkerThreads"], exclude: ["Fixtures"]),
        .testTarget(name: "ChecksumsTests", dependencies: ["Checksums"]),
        .testTarget(name: "ClassifierMetricsTests", dependencies: ["ClassifierMetrics"]),
        .testTarget(name: "ModelCardsTests", dependencies: ["ModelCards"]),
        .testTarget(name: "SeededRandomTests", dependencies: ["SeededRandom"]),
        .testTarget(name: "TensorsTests", dependencies: ["SeededRandom", "Tensors", "TestSupport", "WorkerThreads"]),
        .testTarget(name: "NetworksTests", dependencies: ["Checksums", "ModelCards", "Networks", "Imaging", "Inspection", "SeededRandom", "Tensors", "TestSupport", "WorkerThreads"], exclude: ["Fixtures"]),
        .testTarget(name: "TabularTests", dependencies: ["SeededRandom", "Tabular", "TestSupport"]),
        .testTarget(name: "FacesTests", dependencies: ["Checksums", "Faces", "Networks", "Imaging", "Tensors", "TestSupport", "WorkerThreads"], exclude: ["Fixtures"]),
        .testTarget(name: "InspectionTests", dependencies: ["Checksums", "DriftStatistics", "Inspection", "InspectionTestSupport", "SeededRandom", "WorkerThreads"]),
        .testTarget(name: "DriftStatisticsTests", dependencies: ["DriftStatistics", "SeededRandom", "TestSupport"], exclude: ["Fixtures"]),
        // HummingbirdTesting calls the service's router in memory, without a socket.
        .testTarget(name: "ScoreShardsTests", dependencies: ["ScoreShards", "Imaging", "Inspection", "TestSupport"]),
        .testTarget(name: "ServerTests",
                    dependencies: [
                        "Server", "Imaging", "Tabular", "Inspection", "InspectionTestSupport", "SeededRandom",
                        .product(name: "Hummingbird", package: "hummingbird"),
                        .product(name: "HummingbirdTesting", package: "hummingbird"),
                    ],
                    exclude: ["Fixtures"]),
    ]
)
