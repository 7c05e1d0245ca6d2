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
// are the ones `sgemm` computes for the same operands (same kernel,
// same k order), so distances match a GEMM-then-scan computation bit for bit.
import Foundation

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
        var distances = [Float](repeating: 0, count: queryCount)
        var indices = [Int](repeating: 0, count: queryCount)
        if queryCount == 0 { return (distances, indices) }
        // Jobs of whole row tiles; a few per thread so a delayed thread leaves its share.
        let work = queryCount * count * dimension
        let parts = work < 1 << 20 ? 1 : pool.threads * 4
        let ranges = splitRange(queryCount, parts: parts, align: gemmMR)
        distances.withUnsafeMutableBufferPointer { d in
            indices.withUnsafeMutableBufferPointer { i in
                let (dp, ip) = (d.baseAddress!, i.baseAddress!)
                if ranges.count == 1 {
                    search(queries, rows: 0..<queryCount, distances: dp, indices: ip)
                } else {
                    pool.parallelFor(count: ranges.count) { job in
                        search(queries, rows: ranges[job], distances: dp, indices: ip)
                    }
                }
            }
        }
        return (distances, indices)
    }

    /// The search for query rows `rows`, on the calling thread.
    private func search(_ queries: UnsafePointer<Float>, rows: Range<Int>,
                        distances: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int>) {
        let d = dimension, tiles = (rows.count + gemmMR - 1) / gemmMR
        let depth = GEMMBlocking.kcDepth(k: d)
        let view = MatrixView(queries, ld: d, transposed: false)
        let scratch = ThreadScratch.current
        // All of the job's queries packed once: tile t's k block at p0 starts at
        // t * gemmMR * d + p0 * gemmMR (packA's panel layout, k blocks one after another).
        let packedA = scratch.buffer(.gemmA, count: tiles * gemmMR * d)
        for t in 0..<tiles {
            let i0 = rows.lowerBound + t * gemmMR, mr = min(gemmMR, rows.upperBound - i0)
            for p0 in stride(from: 0, to: d, by: depth) {
                packA(view, i0: i0, mc: mr, p0: p0, kc: min(depth, d - p0), into: packedA + t * gemmMR * d + p0 * gemmMR)
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
        for jc in stride(from: 0, to: columns, by: NearestRowSearch.blockColumns) {
            let blockEnd = min(columns, jc + NearestRowSearch.blockColumns)
            for t in 0..<tiles {
                let a = UnsafePointer(packedA + t * gemmMR * d)
                let best = bestValues + t * gemmMR * gemmNR, bestIndex = bestIndices + t * gemmMR * gemmNR
                for j in stride(from: jc, to: blockEnd, by: gemmNR) {
                    nearestTile(a: a, d: d, depth: depth, layout: layout, column: j, norms: norms + j, tile: tile)
                    // Each lane in increasing index with a strict `<`: its first index of its minimum.
                    // (Compare and select on concrete SIMD16 types compile to vector blends.)
                    let columns = SIMD16<Int32>(repeating: Int32(j)) &+ laneOffsets
                    for r in 0..<gemmMR {
                        let value = load16(tile + r * gemmNR), current = load16(best + r * gemmNR)
                        let better = value .< current
                        store16(best + r * gemmNR, current.replacing(with: value, where: better))
                        let indexAddress = UnsafeMutableRawPointer(bestIndex + r * gemmNR)
                        let index = indexAddress.loadUnaligned(as: SIMD16<Int32>.self)
                        indexAddress.storeBytes(of: index.replacing(with: columns, where: better), as: SIMD16<Int32>.self)
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

/// tile[r][c] = ||b_(j+c)||² - 2 a_r·b_(j+c) for the 6 packed queries at `a` and the panel of
/// reference rows j..<j+16. The products accumulate over the k blocks as `sgemm` does. Not
/// inlined: inside the search loops the micro-kernel's 12 accumulator registers were spilled.
@inline(never)
private func nearestTile(a: UnsafePointer<Float>, d: Int, depth: Int, layout: PanelLayout, column j: Int,
                         norms: UnsafePointer<Float>, tile: UnsafeMutablePointer<Float>) {
    for p0 in stride(from: 0, to: d, by: depth) {
        let kc = min(depth, d - p0)
        gemmKernelPacked(kc: kc, a: a + p0 * gemmMR, b: layout.panels(p0: p0, kc: kc, j0: j),
                         c: tile, ldc: gemmNR, alpha: 1, beta: p0 == 0 ? 0 : 1)
    }
    let norm = load16(norms), two = SIMD16<Float>(repeating: 2)
    for r in 0..<gemmMR { store16(tile + r * gemmNR, norm - two * load16(tile + r * gemmNR)) }
}

/// Sum of squares in index order (one rounding per step, no reassociation): the same value
/// wherever it is computed.
@inline(__always)
func sequentialSquaredNorm(_ a: UnsafePointer<Float>, _ n: Int) -> Float {
    var s: Float = 0
    for i in 0..<n { s += a[i] * a[i] }
    return s
}
