// The inverted residual block of MobileNetV2 / EfficientNet (Sandler et al., CVPR 2018):
// 1x1 expansion -> depthwise KxK -> 1x1 projection (+ the input when shapes allow), run
// row by row so that the expanded map never exists whole.
//
// Run layer by layer, the expanded map of an early block (for example 160x112x96 floats,
// 6.9 MB) is written by the expansion GEMM and read back by the depthwise kernel, and the
// depthwise output again by the projection: traffic to memory that these layers, with few
// FLOPs per byte, wait on. Here each job walks its output rows in order and keeps only
//  - a ring of K expanded input rows (row iy in slot iy % K): output row oy needs input rows
//    oy * stride - padTop ..< + K, so when it is reached every older row is dead (with
//    dilation D the ring holds the (K - 1) * D + 1 rows a window spans);
//  - a band of a few depthwise output rows, projected by one GEMM when full.
// Both stay in L2. Jobs own disjoint output rows (an image's rows split across the pool's
// threads; a job recomputes the K - stride expanded rows it shares with the job before it).
// Results equal the layer-by-layer ops': the same kernels, the same summation order.
import WorkerThreads

/// A 1x1 convolution as a GEMM with prepacked weights [Cin, Cout], its bias and activation.
public struct PointwiseStage: @unchecked Sendable {
    public let weights: PackedMatrix
    public let bias: Tensor
    public let activation: Activation

    public init(weights: PackedMatrix, bias: Tensor, activation: Activation) {
        precondition(bias.count == weights.columns, "PointwiseStage: bias of \(bias.count) for \(weights.columns) outputs")
        self.weights = weights
        self.bias = bias
        self.activation = activation
    }
}

/// A depthwise convolution: weight [KH, KW, 1, C], bias [C], window `config` (groups == C).
public struct DepthwiseStage: @unchecked Sendable {
    public let weight: Tensor
    public let bias: Tensor
    public let config: Conv2DConfig
    public let activation: Activation

    public init(weight: Tensor, bias: Tensor, config: Conv2DConfig, activation: Activation) {
        precondition(weight.rank == 4 && weight.shape[2] == 1 && bias.count == weight.shape[3],
                     "DepthwiseStage: weight must be [KH, KW, 1, C] with a bias of C, got \(weight.shape) and \(bias.count)")
        self.weight = weight
        self.bias = bias
        self.config = config
        self.activation = activation
    }
}

/// Depthwise output rows projected per GEMM: enough rows for an efficient GEMM, few enough
/// for the band (rows x OW x C floats) to stay in L2 beside the ring.
private let projectedBandRows = 4

/// y = project(depthwise(expand(x))) (+ x when `addInput`), for x [N, H, W, Cin]; written into
/// `out` ([N, OH, OW, Cout]), which must not be `x`. Without `expand` the depthwise stage
/// reads x directly. `addInput` needs stride 1 and Cin == Cout.
public func invertedResidual(_ x: Tensor, expand: PointwiseStage?, depthwise: DepthwiseStage, project: PointwiseStage,
                             addInput: Bool, out: Tensor, pool: WorkerPool = .shared) -> Tensor {
    precondition(x.rank == 4, "invertedResidual: input must be NHWC, got \(x.shape)")
    precondition(out !== x, "invertedResidual: the output must be another tensor than the input")
    let (n, h, w, cin) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let mid = expand?.weights.columns ?? cin
    precondition(expand.map { $0.weights.rows == cin } ?? true, "invertedResidual: expansion takes \(expand?.weights.rows ?? 0) channels, input has \(cin)")
    precondition(depthwise.weight.shape[3] == mid && project.weights.rows == mid,
                 "invertedResidual: depthwise and projection must take the \(mid) expanded channels")
    let g = ConvGeometry(input: [1, h, w, mid], kernelH: depthwise.weight.shape[0], kernelW: depthwise.weight.shape[1],
                         cout: mid, config: depthwise.config, op: "invertedResidual")
    precondition(g.isDepthwise, "invertedResidual: the depthwise stage needs groups == channels (\(mid))")
    let cout = project.weights.columns
    precondition(!addInput || (g.oh == h && g.ow == w && cin == cout), "invertedResidual: adding the input needs equal shapes")
    out.resize(to: [n, g.oh, g.ow, cout])
    let taps = DepthwiseTaps(g)
    let parts = splitRange(g.oh, parts: min(pool.threads, g.oh))
    pool.parallelFor(count: n * parts.count) { job in
        let image = job / parts.count
        invertedResidualRows(parts[job % parts.count], g, taps,
                             x: x.data + image * h * w * cin, cin: cin, expand: expand, depthwise: depthwise, project: project,
                             addInput: addInput, out: out.data + image * g.oh * g.ow * cout)
    }
    return out
}

/// Output rows `rows` of one image (x: H x W x Cin floats, out: OH x OW x Cout floats).
private func invertedResidualRows(_ rows: Range<Int>, _ g: ConvGeometry, _ taps: DepthwiseTaps,
                                  x: UnsafePointer<Float>, cin: Int, expand: PointwiseStage?, depthwise: DepthwiseStage,
                                  project: PointwiseStage, addInput: Bool, out: UnsafeMutablePointer<Float>) {
    let (mid, cout) = (g.cin, project.weights.columns)
    let rowFloats = g.w * mid, outRowFloats = g.ow * mid
    let scratch = ThreadScratch.current
    // Input rows one output row spans: K, or more with dilation.
    let span = (g.kh - 1) * g.dh + 1
    let ring = expand.map { _ in scratch.buffer(.expandedRows, count: span * rowFloats) }
    let band = scratch.buffer(.depthwiseRows, count: projectedBandRows * outRowFloats)
    /// Input row iy of the depthwise stage: the expanded row in its ring slot, or x's row.
    func inputRow(_ iy: Int) -> UnsafePointer<Float> {
        if let ring { return UnsafePointer(ring + (iy % span) * rowFloats) }
        return x + iy * rowFloats
    }
    var nextExpanded = rows.isEmpty ? 0 : g.inputY(rows.lowerBound, taps.rows[rows.lowerBound].lowerBound)
    withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: g.kh) { inputRows in
        guard let rowPointers = inputRows.baseAddress else { return }
        var bandStart = rows.lowerBound
        for oy in rows {
            let kys = taps.rows[oy]
            if let expand, let ring, let last = kys.last {
                // Expand the input rows this output row reaches that are not in the ring yet.
                let lastRow = g.inputY(oy, last)
                while nextExpanded <= lastRow {
                    sgemm(m: g.w, a: x + nextExpanded * g.w * cin, lda: cin, packedB: expand.weights,
                          c: ring + (nextExpanded % span) * rowFloats, ldc: mid, bias: expand.bias.data,
                          activation: expand.activation)
                    nextExpanded += 1
                }
            }
            for ky in kys { inputRows[ky] = inputRow(g.inputY(oy, ky)) }
            depthwiseRow(g, oy: oy, taps: taps, inputRows: rowPointers, depthwise.weight.data, depthwise.bias.data,
                         depthwise.activation, band + (oy - bandStart) * outRowFloats)
            let bandRows = oy + 1 - bandStart
            if bandRows == projectedBandRows || oy + 1 == rows.upperBound {
                let target = out + bandStart * g.ow * cout
                if addInput { target.update(from: x + bandStart * g.w * cout, count: bandRows * g.ow * cout) }
                sgemm(m: bandRows * g.ow, a: band, lda: mid, packedB: project.weights, beta: addInput ? 1 : 0,
                      c: target, ldc: cout, bias: project.bias.data, activation: project.activation)
                bandStart = oy + 1
            }
        }
    }
}
