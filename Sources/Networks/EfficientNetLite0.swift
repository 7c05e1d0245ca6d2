// EfficientNet-Lite0 inference: BatchNorm folded into the convolutions, activation buffers
// reused across calls, and feature maps readable at several depths (the anomaly model reads
// the stride 8/16/32 maps). The trainable form stays available as `parameters`.
import Foundation
import Tensors
import WorkerThreads

struct FoldedMBConv {
    let spec: MBConvSpec
    let expand: Conv2D?
    let depthwise: Conv2D
    let project: Conv2D
    /// The same layers as the stages of the fused kernel.
    let stages: (expand: PointwiseStage?, depthwise: DepthwiseStage, project: PointwiseStage)?

    /// Blocks whose expanded map of one image is larger than this many floats run fused
    /// (`invertedResidual`, row by row); smaller maps stay in cache between layers anyway,
    /// and whole-map GEMMs are more efficient than row-sized ones.
    static let fusedAboveFloats = 1 << 18

    init(_ p: MBConvParameters) {
        spec = p.spec
        expand = p.expand.map { EfficientNetLite0.folded($0, activation: .relu6) }
        depthwise = EfficientNetLite0.folded(p.depthwise, stride: p.spec.stride, depthwise: true, activation: .relu6)
        project = EfficientNetLite0.folded(p.project, activation: .none)
        if let projectStage = project.pointwiseStage, expand == nil || expand?.pointwise != nil {
            stages = (expand?.pointwiseStage, depthwise.depthwiseStage, projectStage)
        } else {
            stages = nil
        }
    }

    /// Runs the block on `x` ([N, H, W, Cin]) and returns the tensor holding its output: `x`
    /// itself for residual blocks run layer by layer (updated in place), otherwise `spare`.
    func run(_ x: Tensor, _ ws: EfficientNetLite0.Workspace, spare: Tensor, name: String, timer: LayerTimer?) -> Tensor {
        let geometry = "\(x.shape[1])x\(x.shape[2])"
        if let stages, x.shape[1] * x.shape[2] * depthwise.outputChannels > Self.fusedAboveFloats {
            let label = "\(name) fused \(spec.hasExpansion ? "1x1 \(spec.inputChannels)->\(spec.expandedChannels), " : "")"
                + "dw \(spec.kernel)x\(spec.kernel)/\(spec.stride), 1x1 ->\(spec.outputChannels)\(spec.hasResidual ? " +res" : "") @\(geometry)"
            return timer.measure(label) {
                invertedResidual(x, expand: stages.expand, depthwise: stages.depthwise, project: stages.project,
                                 addInput: spec.hasResidual, out: spare)
            }
        }
        let expanded = expand.map { e in
            timer.measure("\(name) expand 1x1 \(spec.inputChannels)->\(e.outputChannels) @\(geometry)") { e(x, out: ws.expanded) }
        } ?? x
        let mid = timer.measure("\(name) dw \(spec.kernel)x\(spec.kernel)/\(spec.stride) \(depthwise.outputChannels) @\(geometry)") {
            depthwise(expanded, out: ws.depthwise)
        }
        let label = "\(name) project 1x1 \(mid.shape[3])->\(spec.outputChannels)\(spec.hasResidual ? " +res" : "") @\(mid.shape[1])x\(mid.shape[2])"
        guard spec.hasResidual, let weights = project.pointwise else { return timer.measure(label) { project(mid, out: spare) } }
        // x += mid * W + bias: the GEMM accumulates onto the residual (beta = 1) and adds the
        // bias as it stores, one pass over the output instead of three.
        return timer.measure(label) {
            let (n, h, w, c) = (mid.shape[0], mid.shape[1], mid.shape[2], mid.shape[3])
            sgemm(m: n * h * w, a: mid.data, lda: c, packedB: weights, beta: 1, c: x.data, ldc: spec.outputChannels,
                  bias: project.bias.data)
            return x
        }
    }
}

/// EfficientNet-Lite0 with ImageNet weights, for inference on NHWC batches of 224x224 RGB
/// images normalised as the model card says (`inputNormalization`).
///
/// Calls are serialised on one instance (it owns its activation buffers); use one instance per
/// concurrent caller if needed. Batches of at least two images are split across the shared
/// worker pool's threads image-wise; single images split each layer across threads.
public final class EfficientNetLite0: @unchecked Sendable {
    /// Trainable form: convolutions with unfolded BatchNorm, as loaded.
    public let parameters: EfficientNetLite0Parameters
    /// The card beside the weights (normalisation, provenance, sha256), when loaded from a directory.
    public let card: EfficientNetLite0Card?

    let stem: Conv2D
    let blocks: [FoldedMBConv]
    let head: Conv2D
    /// The 1280 -> 1000 classifier.
    let classifier: Dense

    /// Buffers of one forward pass; one per concurrently running batch slice.
    final class Workspace {
        let input = Tensor(shape: [0])
        let a = Tensor(shape: [0]), b = Tensor(shape: [0])
        let expanded = Tensor(shape: [0]), depthwise = Tensor(shape: [0])
        let head = Tensor(shape: [0]), pooled = Tensor(shape: [0])
    }
    /// Workspaces not in use; a pass takes what it needs and gives them back, so passes on
    /// different threads (scoring threads) run at the same time.
    private var idleWorkspaces: [Workspace] = []
    /// Images per forward pass when a batch is split. Measured with bench-networks on 2
    /// threads (224x224): one image per pass ran 90-99 images/s at batch 4 and 32, two images
    /// 75-82 (this host's copy bandwidth is 12 GB/s; a 2-image pass's expanded activations,
    /// 2 x 4.8 MB, no longer stay in cache between the layers).
    static let imagesPerChunk = 1
    private let lock = NSLock()

    public init(parameters: EfficientNetLite0Parameters, card: EfficientNetLite0Card? = nil) {
        self.parameters = parameters
        self.card = card
        stem = Self.folded(parameters.stem, stride: 2, activation: .relu6)
        blocks = parameters.blocks.map(FoldedMBConv.init)
        head = Self.folded(parameters.head, activation: .relu6)
        classifier = Dense(weight: parameters.classifierWeight, bias: parameters.classifierBias)
    }

    /// A convolution of the network with its BatchNorm folded in: TensorFlow "SAME" padding,
    /// depthwise layers grouped by channel.
    static func folded(_ layer: ConvBatchNorm, stride: Int = 1, depthwise: Bool = false, activation: Activation) -> Conv2D {
        Conv2D(folding: layer, epsilon: EfficientNetLite0Architecture.batchNormEpsilon,
               config: Conv2DConfig(stride: stride, padding: .same, groups: depthwise ? layer.weight.shape[3] : 1),
               activation: activation)
    }

    /// Loads `efficientnet-lite0.safetensors` and its card `efficientnet-lite0.json` from a
    /// models directory; the weights must hash to the card's sha256.
    public static func load(from modelsDirectory: URL) throws -> EfficientNetLite0 {
        let card = try EfficientNetLite0Card(contentsOf: modelsDirectory.appendingPathComponent(EfficientNetLite0Card.fileName).path)
        let weights = try SafetensorsFile(contentsOf: modelsDirectory.appendingPathComponent(card.weightsFile).path,
                                          sha256: card.weightsSHA256, regenerateWith: "tools/models/make-effnet.sh")
        return EfficientNetLite0(parameters: try EfficientNetLite0Parameters(weights), card: card)
    }

    /// Loads weights from a safetensors file (no card: default normalisation).
    public convenience init(weightsAt path: String) throws {
        self.init(parameters: try EfficientNetLite0Parameters(contentsOf: path))
    }

    /// Mean and std per channel in the 0...1 pixel convention: (pixel / 255 - mean) / std.
    public var inputNormalization: (mean: [Float], std: [Float]) {
        card?.normalization ?? EfficientNetLite0Card.defaultNormalization
    }

    /// ImageNet logits [N, 1000] of a [N, H, W, 3] batch.
    public func logits(_ batch: Tensor) -> Tensor {
        run(batch, taps: [], classify: true).logits ?? Tensor(shape: [batch.shape[0], EfficientNetLite0Architecture.classes])
    }

    /// Feature maps ([N, h, w, C] each, NHWC) at the requested taps, in the order asked. The
    /// pass stops after the deepest tap.
    public func features(_ batch: Tensor, taps: [EfficientNetLite0Tap]) -> [Tensor] {
        let maps = run(batch, taps: Set(taps), classify: false).features
        return taps.compactMap { maps[$0] }
    }

    /// Logits (when `classify`) and copies of the feature maps at `taps`, in one pass.
    public func run(_ batch: Tensor, taps: Set<EfficientNetLite0Tap>, classify: Bool)
        -> (logits: Tensor?, features: [EfficientNetLite0Tap: Tensor]) {
        precondition(batch.rank == 4 && batch.shape[3] == EfficientNetLite0Architecture.inputChannels,
                     "EfficientNetLite0: input must be [N, H, W, 3], got \(batch.shape)")
        let n = batch.shape[0]
        let pool = WorkerPool.shared
        // Batches run in chunks of a few images: activations of a chunk stay small enough for
        // the caches.
        let chunks = stride(from: 0, to: n, by: Self.imagesPerChunk).map { $0..<min(n, $0 + Self.imagesPerChunk) }
        let threads = n >= 2 ? min(pool.threads, chunks.count) : 1
        let workspaces = takeWorkspaces(max(1, threads))
        defer { giveBack(workspaces) }
        if chunks.count <= 1 {
            // One image: every layer is split across the threads, about 50 parallel calls in a
            // row, so the workers stay awake between them.
            return pool.keepingWorkersAwake {
                let result = forward(batch, taps: taps, classify: classify, workspaces[0])
                return (result.pooled.map { classifier($0) }, result.features)
            }
        }
        // Image-wise split: each thread runs the whole network on its chunks, its ops serial
        // (the pool runs nested calls on the calling thread): no synchronisation per layer.
        let imageSize = batch.count / n
        var results = [(pooled: Tensor?, features: [EfficientNetLite0Tap: Tensor])](repeating: (nil, [:]), count: chunks.count)
        results.withUnsafeMutableBufferPointer { out in
            pool.parallelFor(count: threads) { worker in
                let ws = workspaces[worker]
                for c in stride(from: worker, to: chunks.count, by: threads) {
                    let r = chunks[c]
                    ws.input.resize(to: [r.count] + batch.shape.dropFirst())
                    ws.input.data.update(from: batch.data + r.lowerBound * imageSize, count: r.count * imageSize)
                    out[c] = forward(ws.input, taps: taps, classify: classify, ws)
                }
            }
        }
        func gather(_ pieces: [Tensor]) -> Tensor {
            let joined = Tensor(shape: [n] + pieces[0].shape.dropFirst())
            var offset = 0
            for piece in pieces {
                (joined.data + offset).update(from: piece.data, count: piece.count)
                offset += piece.count
            }
            return joined
        }
        // One classifier GEMM for the whole batch.
        let logits = classify ? classifier(gather(results.compactMap(\.pooled))) : nil
        var features: [EfficientNetLite0Tap: Tensor] = [:]
        for tap in taps { features[tap] = gather(results.compactMap { $0.features[tap] }) }
        return (logits, features)
    }

    private func takeWorkspaces(_ count: Int) -> [Workspace] {
        lock.lock(); defer { lock.unlock() }
        let reused = idleWorkspaces.suffix(count)
        idleWorkspaces.removeLast(reused.count)
        return Array(reused) + (0..<(count - reused.count)).map { _ in Workspace() }
    }

    private func giveBack(_ workspaces: [Workspace]) {
        lock.lock(); defer { lock.unlock() }
        idleWorkspaces += workspaces
    }

    /// Per-layer wall times of one pass over `batch` (layers split across threads, not images).
    public func profile(_ batch: Tensor) -> [(layer: String, seconds: Double)] {
        let workspaces = takeWorkspaces(1)
        defer { giveBack(workspaces) }
        let timer = LayerTimer()
        WorkerPool.shared.keepingWorkersAwake {
            if let pooled = forward(batch, taps: [], classify: true, workspaces[0], timer: timer).pooled {
                _ = timer.measure("classifier 1280->1000") { classifier(pooled) }
            }
        }
        return timer.entries
    }

    /// One pass over a batch with the given workspace, up to the pooled head features [N, 1280]
    /// (when `classify`). Returned tensors are fresh copies.
    private func forward(_ batch: Tensor, taps: Set<EfficientNetLite0Tap>, classify: Bool, _ ws: Workspace,
                         timer: LayerTimer? = nil) -> (pooled: Tensor?, features: [EfficientNetLite0Tap: Tensor]) {
        var features: [EfficientNetLite0Tap: Tensor] = [:]
        let lastBlock = classify ? blocks.count : (taps.map(\.blockIndex).max() ?? -1)
        if lastBlock < 0 { return (nil, features) }
        var x = timer.measure("stem 3x3/2 3->32 @\(batch.shape[1])x\(batch.shape[2])") { stem(batch, out: ws.a) }
        var spare = ws.b
        for (index, block) in blocks.enumerated() where index <= min(lastBlock, blocks.count - 1) {
            let y = block.run(x, ws, spare: spare, name: "block \(index)", timer: timer)
            if y !== x { spare = x; x = y }
            for tap in taps where tap.blockIndex == index { features[tap] = x.copy() }
        }
        guard classify || taps.contains(.head) else { return (nil, features) }
        let headMap = timer.measure("head 1x1 320->1280 @\(x.shape[1])x\(x.shape[2])") { head(x, out: ws.head) }
        if taps.contains(.head) { features[.head] = headMap.copy() }
        guard classify else { return (nil, features) }
        let pooled = timer.measure("global average pool") { globalAvgPool(headMap, out: ws.pooled) }
        return (pooled.copy(), features)
    }
}
