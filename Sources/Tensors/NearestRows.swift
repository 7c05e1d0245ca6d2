// Nearest-row search: for each query row, the reference row at the least squared Euclidean
// distance, by ||a - b||² = ||a||² + ||b||² - 2 a·b.
//
// The products a·b come from the GEMM micro-kernel on 6-query x 16-reference tiles (the
// references packed once into the GEMM's panel layout), and the minimum is folded in as each
// tile leaves the kernel, so the query x reference matrix of products is never stored (for
// PatchCore's ~1100 patches x ~2200 memory rows that matrix is ~10 MiB per image, written
// and read back through memory). The references are taken in column blocks that fit L2, so
// each block of panels is read from cache by every query tile of a job.
//
// Each column lane of the tiles keeps its own running minimum (strict `<` in increasing
// reference index) and the lanes are merged at the end by value, then by smallest index: the
// first index of the minimum, as a sequential scan of the whole row finds it. The products
// are the ones `sgemm` computes for the same operands (same kernel, same k order), so
// distances match a GEMM-then-scan computation bit for bit.
//
// For PatchCore's patches, whose trailing features are a bilinear upsampling of a coarser map,
// `nearest(_:count:interpolatedTail:)` multiplies the coarse rows once and interpolates their
// products (see there).
import Foundation
import WorkerThreads

public final class NearestRowSearch: @unchecked Sendable {
    /// Number of reference rows.
    public let count: Int
    /// Length of a row.
    public let dimension: Int
    /// op(B) = references transposed [dimension x count], in panels.
    private let packed: PackedMatrix
    /// ||b||² of each reference row, padded with +infinity to whole panels (a padding column
    /// never wins).
    private let norms: UnsafeMutablePointer<Float>

    /// Reference rows per column block: 24 panels, 152-long rows make 233 KiB (L2).
    static let blockColumns = 24 * gemmNR

    /// `rows`: `count` rows of `dimension` floats, row-major (copied).
    public init(rows: UnsafePointer<Float>, count: Int, dimension: Int) {
        precondition(count > 0 && dimension > 0, "NearestRowSearch: \(count) rows of \(dimension)")
        self.count = count
        self.dimension = dimension
        packed = PackedMatrix(rows, rows: dimension, columns: count, ld: dimension, transposed: true)
        let padded = GEMMBlocking.roundUpToPanel(count)
        norms = UnsafeMutableRawPointer.allocate(byteCount: padded * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: padded)
        for j in 0..<padded { norms[j] = j < count ? sequentialSquaredNorm(rows + j * dimension, dimension) : .infinity }
    }

    deinit { norms.deallocate() }

    /// For each of the `queryCount` rows of `queries` (row-major, `dimension` long): the least
    /// squared distance to a reference row (max(||a||² + min_j(||b_j||² - 2 a·b_j), 0)) and
    /// that row's index. Split across `pool` by query rows when there are enough of them.
    public func nearest(_ queries: UnsafePointer<Float>, count queryCount: Int, pool: WorkerPool = .shared)
        -> (squaredDistances: [Float], indices: [Int]) {
        splitQueries(queryCount, pool: pool) { rows, distances, indices in
            search(queries, rows: rows, productDepth: dimension, tail: nil, distances: distances, indices: indices)
        }
    }

    /// The same search for queries whose last `tail.dimension` features are bilinear
    /// interpolations of the rows of a coarser grid (PatchCore's stride-16 features upsampled
    /// to the stride-8 grid). a·b splits into the leading part's product plus
    /// sum_k w_k (g_k·b_tail): the coarse rows' products with the references are computed once
    /// (4 times fewer rows than the queries on a 2x grid) and interpolated per query, so the
    /// kernel multiplies only the leading features. The same distances up to rounding (the
    /// interpolation is applied to products instead of features); falls back to `nearest` when
    /// a row is longer than one GEMM k block.
    public func nearest(_ queries: UnsafePointer<Float>, count queryCount: Int, interpolatedTail tail: InterpolatedTail,
                        pool: WorkerPool = .shared) -> (squaredDistances: [Float], indices: [Int]) {
        let lead = dimension - tail.dimension
        guard lead > 0, tail.dimension > 0, tail.rows > 0, GEMMBlocking.kcDepth(k: dimension) == dimension else {
            return nearest(queries, count: queryCount, pool: pool)
        }
        let products = coarseProducts(tail, pool: pool)
        defer { products.values.deallocate() }
        return splitQueries(queryCount, pool: pool) { rows, distances, indices in
            search(queries, rows: rows, productDepth: lead,
                   tail: (UnsafePointer(products.values), products.stride, tail.indices, tail.weights), distances: distances, indices: indices)
        }
    }

    /// Runs `body` on ranges of whole row tiles of the queries (a few per thread, so a delayed
    /// thread leaves its share), filling the distances and indices.
    private func splitQueries(_ queryCount: Int, pool: WorkerPool,
                              _ body: (Range<Int>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Int>) -> Void)
        -> (squaredDistances: [Float], indices: [Int]) {
        var distances = [Float](repeating: 0, count: queryCount)
        var indices = [Int](repeating: 0, count: queryCount)
        if queryCount == 0 { return (distances, indices) }
        let work = queryCount * count * dimension
        let parts = work < 1 << 20 ? 1 : pool.threads * 4
        let ranges = splitRange(queryCount, parts: parts, align: gemmMR)
        distances.withUnsafeMutableBufferPointer { d in
            indices.withUnsafeMutableBufferPointer { i in
                let (dp, ip) = (d.baseAddress!, i.baseAddress!)
                if ranges.count == 1 {
                    body(0..<queryCount, dp, ip)
                } else {
                    pool.parallelFor(count: ranges.count) { job in body(ranges[job], dp, ip) }
                }
            }
        }
        return (distances, indices)
    }

    /// g·b_tail for every coarse row g and reference b: [rows rounded up to whole row tiles] x
    /// [references rounded up to whole panels], the padding zero. The tails of the references
    /// are the packed panels' last k steps (one k block), multiplied by the micro-kernel.
    private func coarseProducts(_ tail: InterpolatedTail, pool: WorkerPool) -> (values: UnsafeMutablePointer<Float>, stride: Int) {
        let lead = dimension - tail.dimension, columns = GEMMBlocking.roundUpToPanel(count)
        let tiles = (tail.rows + gemmMR - 1) / gemmMR
        let values = UnsafeMutablePointer<Float>.allocate(capacity: tiles * gemmMR * columns)
        let view = MatrixView(tail.values, ld: tail.dimension, transposed: false)
        let layout = packed.layout
        pool.parallelFor(count: tiles) { t in
            let i0 = t * gemmMR
            let a = ThreadScratch.current.buffer(.gemmA, count: gemmMR * tail.dimension)
            packA(view, i0: i0, mc: min(gemmMR, tail.rows - i0), p0: 0, kc: tail.dimension, into: a)
            for j in stride(from: 0, to: columns, by: gemmNR) {
                let panel = layout.panels(p0: 0, kc: dimension, j0: j) + lead * gemmNR
                gemmKernelPacked(kc: tail.dimension, a: a, b: panel, c: values + i0 * columns + j, ldc: columns, alpha: 1, beta: 0)
            }
        }
        return (values, columns)
    }

    /// The search for query rows `rows`, on the calling thread. The kernel multiplies the first
    /// `productDepth` features; with `tail`, each query's interpolated coarse products are added.
    private func search(_ queries: UnsafePointer<Float>, rows: Range<Int>, productDepth: Int,
                        tail: (products: UnsafePointer<Float>, stride: Int, indices: UnsafePointer<Int32>, weights: UnsafePointer<Float>)?,
                        distances: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int>) {
        let d = dimension, k = productDepth, tiles = (rows.count + gemmMR - 1) / gemmMR
        // The k blocks of the packed references (the queries are packed in the same blocks).
        let depth = GEMMBlocking.kcDepth(k: d)
        let view = MatrixView(queries, ld: d, transposed: false)
        let scratch = ThreadScratch.current
        // All of the job's queries packed once: tile t's k block at p0 starts at
        // t * gemmMR * k + p0 * gemmMR (packA's panel layout, k blocks one after another).
        let packedA = scratch.buffer(.gemmA, count: tiles * gemmMR * k)
        for t in 0..<tiles {
            let i0 = rows.lowerBound + t * gemmMR, mr = min(gemmMR, rows.upperBound - i0)
            for p0 in stride(from: 0, to: k, by: depth) {
                packA(view, i0: i0, mc: mr, p0: p0, kc: min(depth, k - p0), into: packedA + t * gemmMR * k + p0 * gemmMR)
            }
        }
        let tile = scratch.buffer(.gemmTile, count: gemmMR * gemmNR)
        // Per query row, a running minimum per tile column (lane c sees reference rows j + c)
        // and the first index where it was reached; the lanes are merged at the end.
        let lanes = tiles * gemmMR * gemmNR
        let bestValues = UnsafeMutablePointer<Float>.allocate(capacity: lanes)
        let bestIndices = UnsafeMutablePointer<Int32>.allocate(capacity: lanes)
        defer { bestValues.deallocate(); bestIndices.deallocate() }
        bestValues.initialize(repeating: .infinity, count: lanes)
        bestIndices.initialize(repeating: 0, count: lanes)
        var laneOffsets = SIMD16<Int32>()
        for c in 0..<gemmNR { laneOffsets[c] = Int32(c) }
        let layout = packed.layout
        let columns = GEMMBlocking.roundUpToPanel(count)
        let two = SIMD16<Float>(repeating: 2)
        for jc in stride(from: 0, to: columns, by: NearestRowSearch.blockColumns) {
            let blockEnd = min(columns, jc + NearestRowSearch.blockColumns)
            for t in 0..<tiles {
                let a = UnsafePointer(packedA + t * gemmMR * k)
                let best = bestValues + t * gemmMR * gemmNR, bestIndex = bestIndices + t * gemmMR * gemmNR
                let firstQuery = rows.lowerBound + t * gemmMR, validRows = min(gemmMR, rows.upperBound - firstQuery)
                for j in stride(from: jc, to: blockEnd, by: gemmNR) {
                    tileProducts(a: a, k: k, dimension: d, depth: depth, layout: layout, column: j, tile: tile)
                    let norm = load16(norms + j)
                    // Each lane in increasing index with a strict `<`: its first index of its minimum.
                    // (Compare and select on concrete SIMD16 types compile to vector blends.)
                    let columnIndices = SIMD16<Int32>(repeating: Int32(j)) &+ laneOffsets
                    for r in 0..<validRows {
                        var product = load16(tile + r * gemmNR)
                        if let tail {
                            let q = (firstQuery + r) * 4
                            for tap in 0..<4 {
                                let row = tail.products + Int(tail.indices[q + tap]) * tail.stride + j
                                multiplyAdd(into: &product, SIMD16(repeating: tail.weights[q + tap]), load16(row))
                            }
                        }
                        let value = norm - two * product, current = load16(best + r * gemmNR)
                        let better = value .< current
                        store16(best + r * gemmNR, current.replacing(with: value, where: better))
                        let indexAddress = UnsafeMutableRawPointer(bestIndex + r * gemmNR)
                        let index = indexAddress.loadUnaligned(as: SIMD16<Int32>.self)
                        indexAddress.storeBytes(of: index.replacing(with: columnIndices, where: better), as: SIMD16<Int32>.self)
                    }
                }
            }
        }
        for (offset, q) in rows.enumerated() {
            // The least value over the lanes, and the smallest index holding it: the first index
            // of the minimum, as a sequential scan of the whole row finds it.
            let values = bestValues + offset * gemmNR, laneIndices = bestIndices + offset * gemmNR
            var value = values[0], index = laneIndices[0]
            for c in 1..<gemmNR where values[c] < value || (values[c] == value && laneIndices[c] < index) {
                value = values[c]
                index = laneIndices[c]
            }
            distances[q] = max(value + sequentialSquaredNorm(queries + q * d, d), 0)
            indices[q] = Int(index)
        }
    }
}

/// Query rows whose last `dimension` features are bilinear interpolations of the rows of a
/// coarser grid: query q's tail is sum over tap < 4 of weights[4q + tap] *
/// values[indices[4q + tap]] (see `bilinearWeights`). The pointers must stay valid for the call.
public struct InterpolatedTail {
    public var values: UnsafePointer<Float>
    public var rows: Int
    public var dimension: Int
    public var indices: UnsafePointer<Int32>
    public var weights: UnsafePointer<Float>

    public init(values: UnsafePointer<Float>, rows: Int, dimension: Int, indices: UnsafePointer<Int32>, weights: UnsafePointer<Float>) {
        self.values = values
        self.rows = rows
        self.dimension = dimension
        self.indices = indices
        self.weights = weights
    }
}

/// tile[r][c] = a_r·b_(j+c) over the first k of the `dimension` features, for the 6 packed
/// queries at `a` and the panel of reference rows j..<j+16 (packed in k blocks of `depth`).
/// The products accumulate over the k blocks as `sgemm` does. Not inlined: inside the search
/// loops the micro-kernel's accumulator registers were spilled.
@inline(never)
private func tileProducts(a: UnsafePointer<Float>, k: Int, dimension: Int, depth: Int, layout: PanelLayout, column j: Int,
                          tile: UnsafeMutablePointer<Float>) {
    for p0 in stride(from: 0, to: k, by: depth) {
        let panel = layout.panels(p0: p0, kc: min(depth, dimension - p0), j0: j)
        gemmKernelPacked(kc: min(depth, k - p0), a: a + p0 * gemmMR, b: panel, c: tile, ldc: gemmNR, alpha: 1, beta: p0 == 0 ? 0 : 1)
    }
}

/// Sum of squares in index order (one rounding per step, no reassociation): the same value
/// wherever it is computed.
@inline(__always)
func sequentialSquaredNorm(_ a: UnsafePointer<Float>, _ n: Int) -> Float {
    var s: Float = 0
    for i in 0..<n { s += a[i] * a[i] }
    return s
}
