import Foundation
import Tensors

/// The memory of normal patches (PatchCore, Roth et al., CVPR 2022): patch features of good
/// images, reduced by greedy coreset subsampling, scored by nearest-neighbour distance.
public struct PatchMemory: Sendable {
    /// Feature length of a patch.
    public let dimension: Int
    /// The memory, `count` rows of `dimension` floats.
    public let bank: [Float]
    /// Squared norms of the rows, for the GEMM distance.
    private let squaredNorms: [Float]

    public var count: Int { bank.count / dimension }

    public init(bank: [Float], dimension: Int) {
        precondition(dimension > 0 && bank.count % dimension == 0 && !bank.isEmpty, "PatchMemory: \(bank.count) floats are not rows of \(dimension)")
        self.dimension = dimension
        self.bank = bank
        squaredNorms = bank.withUnsafeBufferPointer { b in
            (0..<(b.count / dimension)).map { r in squaredNorm(b.baseAddress! + r * dimension, dimension) }
        }
    }

    /// Builds the memory from the patches of good images (rows of `dimension`), keeping a
    /// greedy coreset of `fraction` of them (at least `minimumSize`, at most all).
    public static func build(patches: [Float], dimension: Int, fraction: Double, minimumSize: Int = 64,
                             projectedDimension: Int = 128, seed: UInt64) -> PatchMemory {
        let n = patches.count / dimension
        let target = min(n, max(minimumSize, Int((Double(n) * fraction).rounded())))
        let chosen = Coreset.greedySelection(patches, dimension: dimension, count: target,
                                             projectedDimension: projectedDimension, seed: seed)
        var bank = [Float](repeating: 0, count: chosen.count * dimension)
        for (row, index) in chosen.enumerated() {
            for j in 0..<dimension { bank[row * dimension + j] = patches[index * dimension + j] }
        }
        return PatchMemory(bank: bank, dimension: dimension)
    }

    /// Distance of each query row to its nearest memory row, and that row's index:
    /// ||a - b||² = ||a||² + ||b||² - 2 a·b, the products by one GEMM per block of queries.
    public func nearest(_ queries: UnsafePointer<Float>, count queryCount: Int) -> (distances: [Float], indices: [Int]) {
        let k = count, d = dimension, block = 256
        var distances = [Float](repeating: 0, count: queryCount), indices = [Int](repeating: 0, count: queryCount)
        let products = UnsafeMutablePointer<Float>.allocate(capacity: block * k)
        defer { products.deallocate() }
        bank.withUnsafeBufferPointer { memory in
            var start = 0
            while start < queryCount {
                let rows = min(block, queryCount - start)
                sgemm(transA: false, transB: true, m: rows, n: k, k: d, a: queries + start * d, lda: d,
                      b: memory.baseAddress!, ldb: d, c: products, ldc: k)
                for r in 0..<rows {
                    let q = squaredNorm(queries + (start + r) * d, d)
                    let row = products + r * k
                    var best = Float.infinity, bestIndex = 0
                    for j in 0..<k {
                        let value = squaredNorms[j] - 2 * row[j]
                        if value < best { best = value; bestIndex = j }
                    }
                    distances[start + r] = max(best + q, 0).squareRoot()
                    indices[start + r] = bestIndex
                }
                start += rows
            }
        }
        return (distances, indices)
    }

    /// Number of memory neighbours in the image-score reweighting.
    public static let reweightingNeighbours = 9

    /// PatchCore's image score (paper, eq. 7): the largest patch distance s* = ||t - m*||,
    /// times 1 - softmax over the distances from t to m* and to m*'s nearest memory
    /// neighbours, taken at m*. A test patch whose nearest memory patch sits in a dense
    /// region of normal patches keeps most of its score; one that merely found a stray
    /// outlier of the memory is damped.
    public func imageScore(patches: UnsafePointer<Float>, distances: [Float], indices: [Int]) -> Float {
        guard let worst = distances.indices.max(by: { distances[$0] < distances[$1] }) else { return 0 }
        let d = dimension
        let test = patches + worst * d
        let anchor = indices[worst]
        let neighbours = bank.withUnsafeBufferPointer { memory -> [Int] in
            let a = memory.baseAddress! + anchor * d
            var scored: [(Float, Int)] = []
            for j in 0..<count { scored.append((squaredDistance(a, memory.baseAddress! + j * d, d), j)) }
            scored.sort { $0.0 < $1.0 }
            return scored.prefix(PatchMemory.reweightingNeighbours).map(\.1)
        }
        let toNeighbours = bank.withUnsafeBufferPointer { memory in
            neighbours.map { squaredDistance(test, memory.baseAddress! + $0 * d, d).squareRoot() }
        }
        let sStar = distances[worst]
        let top = max(sStar, toNeighbours.max() ?? sStar)
        let denominator = toNeighbours.reduce(Float(0)) { $0 + exp($1 - top) }
        let weight = 1 - exp(sStar - top) / max(denominator, .leastNormalMagnitude)
        return weight * sStar
    }
}

@inline(__always)
func squaredNorm(_ a: UnsafePointer<Float>, _ n: Int) -> Float {
    var s: Float = 0
    for i in 0..<n { s += a[i] * a[i] }
    return s
}

@inline(__always)
func squaredDistance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var s = SIMD16<Float>()
    var i = 0
    while i + 16 <= n {
        let diff = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self) - UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self)
        s += diff * diff
        i += 16
    }
    var total = s.sum()
    while i < n { let diff = a[i] - b[i]; total += diff * diff; i += 1 }
    return total
}
