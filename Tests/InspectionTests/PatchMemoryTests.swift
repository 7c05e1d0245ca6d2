import Testing
import Tensors
@testable import Inspection
import SeededRandom

@Suite struct PatchMemoryTests {
    func randomRows(_ n: Int, _ d: Int, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        return (0..<(n * d)).map { _ in rng.nextGaussian() }
    }

    @Test func gemmNearestNeighbourMatchesBruteForce() {
        let d = 37
        let memory = PatchMemory(bank: randomRows(300, d, seed: 1), dimension: d)
        let queries = randomRows(40, d, seed: 2)
        let (distances, indices) = queries.withUnsafeBufferPointer { memory.nearest($0.baseAddress!, count: 40) }
        for q in 0..<40 {
            var best = Float.infinity, bestIndex = -1
            for m in 0..<300 {
                var s: Float = 0
                for j in 0..<d { let e = queries[q * d + j] - memory.bank[m * d + j]; s += e * e }
                if s < best { best = s; bestIndex = m }
            }
            #expect(indices[q] == bestIndex)
            #expect(abs(distances[q] - best.squareRoot()) < 1e-3)
        }
    }

    @Test func greedyCoresetCoversOutliersThatRandomSamplingMisses() {
        // 990 points in a tight cluster plus 10 far-away points: a 5% coreset must keep all 10.
        let d = 8
        var rows = randomRows(1000, d, seed: 5).map { $0 * 0.1 }
        for i in 990..<1000 { rows[i * d] += Float(20 + i) }
        let points = rows.withUnsafeBufferPointer { CoresetPoints(rows: $0.baseAddress!, count: 1000, dimension: d) }
        var coverage = GreedyCoverage(count: 1000)
        Coreset.extend(&coverage, points: points, target: 50, first: 1)
        let chosen = coverage.chosen
        #expect(Set(chosen).count == 50)
        #expect(Set(990..<1000).isSubset(of: Set(chosen)))
    }

    @Test func anomalousPatchScoresAboveNormalOnSyntheticFeatureMaps() {
        // Normal feature maps: noise around a per-position pattern; the anomaly adds an offset
        // to a 2x2 block of patches.
        let (w, h, d) = (12, 10, 16)
        func grid(seed: UInt64, anomaly: Bool) -> PatchGrid {
            var values = randomRows(w * h, d, seed: seed).map { $0 * 0.2 }
            for p in 0..<(w * h) { values[p * d + p % d] += 1 }
            if anomaly { for p in [45, 46, 57, 58] { for j in 0..<d { values[p * d + j] += 1.5 } } }
            return PatchGrid(width: w, height: h, dimension: d, values: values)
        }
        let memory = PatchMemory.build(grids: (0..<8).map { grid(seed: UInt64($0), anomaly: false) }, fraction: 0.25, seed: 1)
        let normal = PatchScore(grid: grid(seed: 100, anomaly: false), memory: memory)
        let defect = PatchScore(grid: grid(seed: 101, anomaly: true), memory: memory)
        #expect(defect.score > 2 * normal.score)
        let worst = defect.patchDistances.indices.max { defect.patchDistances[$0] < defect.patchDistances[$1] }
        #expect([45, 46, 57, 58].contains(worst ?? -1))
        let map = defect.map(width: 96, height: 80)
        // The map peaks inside the defect's block (patches at x 9-10, y 3-4 of the 8-px grid).
        let peak = map.values.indices.max { map.values[$0] < map.values[$1] } ?? 0
        #expect((64...88).contains(peak % 96) && (24...40).contains(peak / 96))
    }

    /// A grid that carries its coarse stride-16 map is scored through the interpolated search;
    /// its distances, nearest rows and image score agree with the plain search over the same
    /// patches (the grid without its coarse map) to float accuracy.
    @Test func coarseGridSearchAgreesWithThePlainSearch() {
        func maps(seed: UInt64) -> (Tensor, Tensor) {
            (Tensor(shape: [1, 12, 16, 8], data: randomRows(12 * 16, 8, seed: seed)),
             Tensor(shape: [1, 6, 8, 24], data: randomRows(6 * 8, 24, seed: seed + 1000)))
        }
        func grid(seed: UInt64) -> PatchGrid {
            let (s8, s16) = maps(seed: seed)
            let (patches, coarse) = PatchFeatures.combineKeepingCoarse(stride8: s8, stride16: s16, stride8Weight: 0.5)
            return PatchGrid(width: 16, height: 12, dimension: 32, values: patches.scalars, stride8Channels: 8,
                             coarse: PatchGrid.CoarseGrid(width: 8, height: 6, dimension: 24, values: coarse.scalars))
        }
        let memory = PatchMemory.build(grids: (0..<6).map { grid(seed: UInt64($0)) }, fraction: 0.3, seed: 1)
        let test = grid(seed: 77)
        #expect(test.coarse != nil)
        let plain = PatchGrid(width: test.width, height: test.height, dimension: test.dimension, values: test.values,
                              stride8Channels: test.stride8Channels)
        let viaCoarse = PatchScore(grid: test, memory: memory), viaPlain = PatchScore(grid: plain, memory: memory)
        for (a, b) in zip(viaCoarse.patchDistances, viaPlain.patchDistances) { #expect(abs(a - b) <= 1e-4 * max(1, b)) }
        #expect(abs(viaCoarse.score - viaPlain.score) <= 1e-4 * max(1, viaPlain.score))
        // Reweighting keeps the coarse map (it scales only the stride-8 features).
        #expect(test.reweighted(stride8Weight: 2).coarse != nil)
    }
}
