import Foundation
import Tensors

/// The memory of normal patches (PatchCore, Roth et al., CVPR 2022): patch features of good
/// images, reduced by greedy coreset subsampling, scored by nearest-neighbour distance.
public struct PatchMemory: Sendable {
    /// Feature length of a patch.
    public let dimension: Int
    /// The memory, `count` rows of `dimension` floats.
    public let bank: [Float]
    /// The nearest-row search over the bank (packed once, shared by every query).
    private let search: NearestRowSearch

    public var count: Int { bank.count / dimension }

    public init(bank: [Float], dimension: Int) {
        precondition(dimension > 0 && bank.count % dimension == 0 && !bank.isEmpty, "PatchMemory: \(bank.count) floats are not rows of \(dimension)")
        self.dimension = dimension
        self.bank = bank
        search = bank.withUnsafeBufferPointer { b in
            NearestRowSearch(rows: b.baseAddress!, count: b.count / dimension, dimension: dimension)
        }
    }

    /// Distance of each query row to its nearest memory row, and that row's index:
    /// ||a - b||² = ||a||² + ||b||² - 2 a·b, the products by the GEMM kernel, the minimum
    /// folded in tile by tile (see `NearestRowSearch`).
    public func nearest(_ queries: UnsafePointer<Float>, count queryCount: Int) -> (distances: [Float], indices: [Int]) {
        let (squared, indices) = search.nearest(queries, count: queryCount)
        return (squared.map { $0.squareRoot() }, indices)
    }

    /// The same for a grid's patches (`gridWidth` x `gridHeight`, row-major) whose trailing
    /// features upsample `coarse` bilinearly (as `PatchFeatures` makes them): the search
    /// multiplies the coarse rows once and interpolates their products. Without `coarse`,
    /// the plain search.
    public func nearest(_ queries: UnsafePointer<Float>, count queryCount: Int, coarse: PatchGrid.CoarseGrid?,
                        gridWidth: Int, gridHeight: Int) -> (distances: [Float], indices: [Int]) {
        guard let coarse, queryCount == gridWidth * gridHeight, coarse.dimension < dimension else {
            return nearest(queries, count: queryCount)
        }
        let taps = bilinearWeights(height: gridHeight, width: gridWidth, inHeight: coarse.height, inWidth: coarse.width)
        let (squared, indices) = coarse.values.withUnsafeBufferPointer { values in
            taps.indices.withUnsafeBufferPointer { tapIndices in
                taps.weights.withUnsafeBufferPointer { weights in
                    search.nearest(queries, count: queryCount,
                                   interpolatedTail: InterpolatedTail(values: values.baseAddress!, rows: coarse.width * coarse.height,
                                                                      dimension: coarse.dimension, indices: tapIndices.baseAddress!,
                                                                      weights: weights.baseAddress!))
                }
            }
        }
        return (squared.map { $0.squareRoot() }, indices)
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
