import Tensors
import SeededRandom
import WorkerThreads

/// Points for greedy k-center selection, in blocks of 16 stored coordinate-major (a block
/// holds coordinate j of its 16 points side by side), so the distances of 16 points to a
/// centre take `dimension` vector subtractions and multiply-adds and no horizontal sums.
struct CoresetPoints: Sendable {
    static let block = 16
    let count: Int
    let dimension: Int
    /// `blockCount` blocks of `dimension` x 16 floats; padding points are zero.
    private(set) var blocks: [Float]

    var blockCount: Int { (count + CoresetPoints.block - 1) / CoresetPoints.block }

    /// From `count` row-major rows of `dimension` floats.
    init(rows: UnsafePointer<Float>, count: Int, dimension: Int) {
        self.count = count
        self.dimension = dimension
        let b = CoresetPoints.block
        var blocks = [Float](repeating: 0, count: ((count + b - 1) / b) * b * dimension)
        for i in 0..<count {
            let base = (i / b) * b * dimension + i % b
            for j in 0..<dimension { blocks[base + j * b] = rows[i * dimension + j] }
        }
        self.blocks = blocks
    }

    /// Point `i`'s coordinates.
    func point(_ i: Int) -> [Float] {
        let b = CoresetPoints.block, base = (i / b) * b * dimension + i % b
        return (0..<dimension).map { blocks[base + $0 * b] }
    }
}

/// Where a greedy k-center selection stands: the centres chosen so far (point indices, in
/// order), and for each point its squared distance to the nearest centre and that centre's
/// place in `chosen`. A point left out of the selection has distance -infinity: it is never
/// chosen and never counts as uncovered.
struct GreedyCoverage: Sendable {
    var chosen: [Int] = []
    var minDistance: [Float]
    var nearest: [Int32]

    /// Nothing chosen yet; the points where `included` is false are left out.
    init(count: Int, included: (Int) -> Bool = { _ in true }) {
        minDistance = (0..<count).map { included($0) ? .infinity : -.infinity }
        nearest = [Int32](repeating: -1, count: count)
    }

    /// The largest distance from an included point to its nearest centre (the covering
    /// radius, squared); 0 when no point is included.
    var squaredRadius: Float { max(0, minDistance.max() ?? 0) }

    /// The distances and nearest centres padded to whole blocks of `points`; the padding
    /// lanes are left out (-infinity: never farthest, never updated).
    func padded(to points: CoresetPoints) -> (distances: [Float], nearest: [Int32]) {
        let pad = points.blockCount * CoresetPoints.block - points.count
        return (minDistance + [Float](repeating: -.infinity, count: pad), nearest + [Int32](repeating: -1, count: pad))
    }

    /// Takes back the distances and nearest centres from `padded(to:)`.
    mutating func unpad(_ distances: [Float], _ nearest: [Int32]) {
        minDistance = Array(distances.prefix(minDistance.count))
        self.nearest = Array(nearest.prefix(minDistance.count))
    }
}

/// Greedy coreset subsampling (k-center greedy, Sener and Savarese 2018, as PatchCore uses
/// it): start from a random point, then repeatedly add the point farthest from every centre
/// chosen so far. The chosen set covers the points with at most twice the smallest possible
/// worst-case gap, so rare normal patches survive where random sampling would drop them.
///
/// Each step updates every point's distance to the new centre and finds the farthest point,
/// in ranges of blocks spread over the shared worker pool; each range keeps its farthest point
/// (largest distance, then smallest index) and the ranges are merged the same way, so the
/// choice does not depend on the number of threads. A block is skipped when the triangle
/// inequality shows that none of its points can get nearer: a point at distance r from its
/// nearest centre a is at least |ca| - r from the new centre c, which is not below r when
/// |ca| >= 2r. The centres' distances to the new one cost one pass over the centres, far
/// fewer than the points; late in a selection most blocks are skipped.
enum Coreset {
    /// Adds centres until `coverage.chosen` has `target` points, or every included point is a
    /// centre or coincides with one. The first centre is `first` when nothing is chosen yet;
    /// otherwise the selection continues from the farthest point. `parallel: false` keeps the
    /// work on the calling thread (for many small selections run side by side).
    static func extend(_ coverage: inout GreedyCoverage, points: CoresetPoints, target: Int, first: Int, parallel: Bool = true) {
        precondition(coverage.minDistance.count == points.count, "Coreset.extend: coverage of \(coverage.minDistance.count) points for \(points.count)")
        let b = CoresetPoints.block, d = points.dimension, blockCount = points.blockCount
        var (distances, nearest) = coverage.padded(to: points)
        // The centres in blocks like the points', and the newest centre's squared distance to each.
        let centreBlocks = (max(target, coverage.chosen.count) + b - 1) / b
        var centres = [Float](repeating: 0, count: centreBlocks * b * d)
        var toCentres = [Float](repeating: 0, count: centreBlocks * b)
        for (slot, c) in coverage.chosen.enumerated() { place(points.point(c), at: slot, in: &centres, dimension: d) }
        let ranges = parallel && blockCount >= 256 ? splitBlocks(blockCount, parts: 4 * WorkerPool.shared.threads) : [0..<blockCount]
        var farthest = [(Float, Int)](repeating: (-.infinity, 0), count: ranges.count)
        var next = coverage.chosen.isEmpty ? first : farthestPoint(distances)
        points.blocks.withUnsafeBufferPointer { pointBuffer in
            distances.withUnsafeMutableBufferPointer { distanceBuffer in
                nearest.withUnsafeMutableBufferPointer { nearestBuffer in
                    farthest.withUnsafeMutableBufferPointer { farthestBuffer in
                        let (p, md, nn, far) = (pointBuffer.baseAddress!, distanceBuffer.baseAddress!, nearestBuffer.baseAddress!,
                                                farthestBuffer.baseAddress!)
                        while coverage.chosen.count < target, let current = next, md[current] > 0 {
                            let slot = coverage.chosen.count
                            coverage.chosen.append(current)
                            let centre = points.point(current)
                            centre.withUnsafeBufferPointer { centreBuffer in
                                let c = centreBuffer.baseAddress!
                                centres.withUnsafeBufferPointer { centreBlocks in
                                    toCentres.withUnsafeMutableBufferPointer { toCentreBuffer in
                                        squaredDistances(from: c, toBlocks: 0..<((slot + b - 1) / b), of: centreBlocks.baseAddress!,
                                                         dimension: d, into: toCentreBuffer.baseAddress!)
                                    }
                                }
                                toCentres.withUnsafeBufferPointer { toCentreBuffer in
                                    let toCentre = toCentreBuffer.baseAddress!
                                    if ranges.count == 1 {
                                        far[0] = update(ranges[0], points: p, dimension: d, centre: c, slot: Int32(slot), toCentres: toCentre,
                                                        distances: md, nearest: nn)
                                    } else {
                                        WorkerPool.shared.parallelFor(count: ranges.count) { job in
                                            far[job] = update(ranges[job], points: p, dimension: d, centre: c, slot: Int32(slot),
                                                              toCentres: toCentre, distances: md, nearest: nn)
                                        }
                                    }
                                }
                            }
                            place(centre, at: slot, in: &centres, dimension: d)
                            var best = far[0]
                            for r in 1..<ranges.count where far[r].0 > best.0 || (far[r].0 == best.0 && far[r].1 < best.1) { best = far[r] }
                            next = best.0 > -.infinity ? best.1 : nil
                        }
                    }
                }
            }
        }
        coverage.unpad(distances, nearest)
    }

    /// Writes `point` as entry `slot` of blocks laid out like `CoresetPoints.blocks`.
    static func place(_ point: [Float], at slot: Int, in blocks: inout [Float], dimension: Int) {
        let b = CoresetPoints.block, base = (slot / b) * b * dimension + slot % b
        for j in 0..<dimension { blocks[base + j * b] = point[j] }
    }

    /// The included point farthest from its nearest centre (smallest index among equals), or nil.
    static func farthestPoint(_ distances: [Float]) -> Int? {
        var best: Float = -.infinity, index: Int?
        for (i, d) in distances.enumerated() where d > best { best = d; index = i }
        return index
    }

    /// `blockCount` blocks in `parts` contiguous ranges (fewer when there are few blocks).
    static func splitBlocks(_ blockCount: Int, parts: Int) -> [Range<Int>] {
        let p = max(1, min(parts, blockCount))
        return (0..<p).map { (blockCount * $0 / p)..<(blockCount * ($0 + 1) / p) }.filter { !$0.isEmpty }
    }

    /// The squared distance from `point` to each of the 16 points of each block of `blocks`.
    @inline(__always)
    static func squaredDistances(from point: UnsafePointer<Float>, toBlocks range: Range<Int>, of blocks: UnsafePointer<Float>,
                                 dimension: Int, into out: UnsafeMutablePointer<Float>) {
        let b = CoresetPoints.block
        for blockIndex in range {
            let block = blocks + blockIndex * b * dimension
            var sum = SIMD16<Float>()
            for j in 0..<dimension {
                let diff = load16(block + j * b) - SIMD16(repeating: point[j])
                multiplyAdd(into: &sum, diff, diff)
            }
            store16(out + blockIndex * b, sum)
        }
    }

    /// Lowers the distances of the points in `blocks` to the new centre where it is nearer
    /// (recording `slot` as their nearest centre), and returns the farthest point of the
    /// range after the update: its squared distance and index. With `toCentres` (the new
    /// centre's squared distance to each earlier centre), blocks whose points all have their
    /// nearest centre at least twice as far from the new one as from themselves are skipped.
    @inline(__always)
    static func update(_ blocks: Range<Int>, points: UnsafePointer<Float>, dimension: Int, centre: UnsafePointer<Float>,
                       slot: Int32, toCentres: UnsafePointer<Float>?, distances: UnsafeMutablePointer<Float>,
                       nearest: UnsafeMutablePointer<Int32>) -> (Float, Int) {
        let b = CoresetPoints.block
        var bestValue = SIMD16<Float>(repeating: -.infinity), bestIndex = SIMD16<Int32>(repeating: 0)
        var lane = SIMD16<Int32>()
        for i in 0..<b { lane[i] = Int32(i) }
        let newSlot = SIMD16<Int32>(repeating: slot)
        // |ca| >= 2r, squared, with a margin far above the rounding of the distances.
        let twiceSquared = SIMD16<Float>(repeating: 4.0001)
        for blockIndex in blocks {
            let md = distances + blockIndex * b
            let old = load16(md)
            var updated = old
            var mayGetNearer = true
            if let toCentres {
                // Points not yet covered (no nearest centre) always may.
                var bound = SIMD16<Float>(repeating: -.infinity)
                let ownNearest = nearest + blockIndex * b
                for l in 0..<b where ownNearest[l] >= 0 { bound[l] = toCentres[Int(ownNearest[l])] }
                mayGetNearer = any(bound .< old * twiceSquared)
            }
            if mayGetNearer {
                let block = points + blockIndex * b * dimension
                var sum = SIMD16<Float>()
                for j in 0..<dimension {
                    let diff = load16(block + j * b) - SIMD16(repeating: centre[j])
                    multiplyAdd(into: &sum, diff, diff)
                }
                let closer = sum .< old
                updated = old.replacing(with: sum, where: closer)
                store16(md, updated)
                let nearestAddress = UnsafeMutableRawPointer(nearest + blockIndex * b)
                let oldNearest = nearestAddress.loadUnaligned(as: SIMD16<Int32>.self)
                nearestAddress.storeBytes(of: oldNearest.replacing(with: newSlot, where: closer), as: SIMD16<Int32>.self)
            }
            // Each lane sees increasing indices: a strict `>` keeps its first farthest point.
            let farther = updated .> bestValue
            bestValue = bestValue.replacing(with: updated, where: farther)
            bestIndex = bestIndex.replacing(with: SIMD16(repeating: Int32(blockIndex * b)) &+ lane, where: farther)
        }
        var value = bestValue[0], index = bestIndex[0]
        for i in 1..<b where bestValue[i] > value || (bestValue[i] == value && bestIndex[i] < index) {
            value = bestValue[i]
            index = bestIndex[i]
        }
        return (value, Int(index))
    }
}

extension Coreset {
    /// Lowers each point's distance to the nearest of `centres` (rows of `points.dimension`
    /// floats; centre k is recorded as slot `firstSlot + k`), without choosing any.
    static func cover(_ coverage: inout GreedyCoverage, points: CoresetPoints, centres: [Float], firstSlot: Int) {
        let d = points.dimension, centreCount = centres.count / max(d, 1), blockCount = points.blockCount
        guard centreCount > 0, points.count > 0 else { return }
        var (distances, nearest) = coverage.padded(to: points)
        let ranges = splitBlocks(blockCount, parts: blockCount >= 64 ? 4 * WorkerPool.shared.threads : 1)
        points.blocks.withUnsafeBufferPointer { pointBuffer in
            centres.withUnsafeBufferPointer { centreBuffer in
                distances.withUnsafeMutableBufferPointer { distanceBuffer in
                    nearest.withUnsafeMutableBufferPointer { nearestBuffer in
                        let (p, c, md, nn) = (pointBuffer.baseAddress!, centreBuffer.baseAddress!, distanceBuffer.baseAddress!,
                                              nearestBuffer.baseAddress!)
                        // Each job takes its blocks through all centres, so they stay in cache.
                        WorkerPool.shared.parallelFor(count: ranges.count) { job in
                            for k in 0..<centreCount {
                                _ = update(ranges[job], points: p, dimension: d, centre: c + k * d, slot: Int32(firstSlot + k),
                                           toCentres: nil, distances: md, nearest: nn)
                            }
                        }
                    }
                }
            }
        }
        coverage.unpad(distances, nearest)
    }
}
