import Tensors
import SeededRandom

/// Greedy coreset subsampling (k-center greedy, Sener and Savarese 2018, as PatchCore uses
/// it): start from a random patch, then repeatedly add the patch farthest from everything
/// chosen so far. The chosen set covers the feature space with the smallest worst-case gap,
/// so rare normal patches survive where random sampling would drop them. Distances are
/// computed on a seeded Gaussian random projection to `projectedDimension` (Johnson-
/// Lindenstrauss), which keeps them nearly unchanged and makes each step cheaper.
enum Coreset {
    static func greedySelection(_ rows: [Float], dimension: Int, count target: Int,
                                projectedDimension: Int, seed: UInt64) -> [Int] {
        let n = rows.count / dimension
        if target >= n { return Array(0..<n) }
        var rng = SeededGenerator(seed: seed)
        // Project (n x d) by a (d x p) Gaussian matrix scaled by 1/sqrt(p).
        let p = min(projectedDimension, dimension)
        let points: [Float]
        if p < dimension {
            let projection = Tensor.randomNormal(shape: [dimension, p], std: 1 / Float(p).squareRoot(), using: &rng)
            var projected = [Float](repeating: 0, count: n * p)
            rows.withUnsafeBufferPointer { a in
                projected.withUnsafeMutableBufferPointer { c in
                    sgemm(transA: false, transB: false, m: n, n: p, k: dimension, a: a.baseAddress!, lda: dimension,
                          b: projection.data, ldb: p, c: c.baseAddress!, ldc: p)
                }
            }
            points = projected
        } else {
            points = rows
        }
        var minDistance = [Float](repeating: .infinity, count: n)
        var chosen: [Int] = []
        chosen.reserveCapacity(target)
        var current = Int(rng.next() % UInt64(n))
        let chunks = 8
        let chunkSize = (n + chunks - 1) / chunks
        var chunkBest = [(Float, Int)](repeating: (0, 0), count: chunks)
        points.withUnsafeBufferPointer { pts in
            let base = pts.baseAddress!
            minDistance.withUnsafeMutableBufferPointer { md in
                let mdBase = md.baseAddress!
                chunkBest.withUnsafeMutableBufferPointer { cb in
                    let cbBase = cb.baseAddress!
                    while chosen.count < target {
                        chosen.append(current)
                        let centre = base + current * p
                        // Update each point's distance to the chosen set, and find the farthest.
                        WorkerPool.shared.parallelFor(count: chunks) { chunk in
                            var best: Float = -1, bestIndex = 0
                            let lo = chunk * chunkSize, hi = min(n, lo + chunkSize)
                            if lo < hi {
                                for i in lo..<hi {
                                    let d = min(mdBase[i], squaredDistance(base + i * p, centre, p))
                                    mdBase[i] = d
                                    if d > best { best = d; bestIndex = i }
                                }
                            }
                            cbBase[chunk] = (best, bestIndex)
                        }
                        var best: Float = -1
                        for c in 0..<chunks where cbBase[c].0 > best { best = cbBase[c].0; current = cbBase[c].1 }
                    }
                }
            }
        }
        return chosen
    }
}
