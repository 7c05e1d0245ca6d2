import SeededRandom
import Tensors

/// The second stage of the memory's coreset: a greedy selection over the candidates of some
/// photos, each chosen patch keeping its photo. A memory without some photos (a
/// cross-validation fold) is made from it without a new selection over all candidates: the
/// centres of those photos are dropped, the candidates they were nearest to find their
/// nearest remaining centre, and the greedy selection continues from there (the farthest
/// candidate of the other photos first) until the memory is as large as one selected from
/// the other photos alone would be. When every candidate fits in the memory, that is the
/// same memory as one selected without those photos.
struct MemoryCoreset: Sendable {
    let candidates: CoresetCandidates
    private(set) var coverage: GreedyCoverage

    /// A greedy selection of `target` candidates among those of photos where `included` is true.
    init(_ candidates: CoresetCandidates, including included: (Int) -> Bool, target: Int, seed: UInt64) {
        self.candidates = candidates
        let photo = candidates.photo
        coverage = GreedyCoverage(count: candidates.count) { included(Int(photo[$0])) }
        let eligible = coverage.minDistance.indices.filter { coverage.minDistance[$0] > 0 }
        guard !eligible.isEmpty else { return }
        var rng = SeededGenerator(seed: seed)
        Coreset.extend(&coverage, points: candidates.points, target: target, first: eligible[Int(rng.next() % UInt64(eligible.count))])
    }

    private init(_ candidates: CoresetCandidates, coverage: GreedyCoverage) {
        self.candidates = candidates
        self.coverage = coverage
    }

    /// Number of chosen patches.
    var count: Int { coverage.chosen.count }

    /// The photo of each chosen patch, in memory row order.
    var sourcePhotos: [Int] { coverage.chosen.map { Int(candidates.photo[$0]) } }

    /// The memory of the chosen patches' full features.
    var memory: PatchMemory {
        let d = candidates.dimension
        var bank = [Float]()
        bank.reserveCapacity(count * d)
        for c in coverage.chosen { bank += candidates.rows[(c * d)..<((c + 1) * d)] }
        return PatchMemory(bank: bank, dimension: d)
    }

    /// The coreset without the photos where `excluded` is true, grown back to `target` patches
    /// by continuing the greedy selection over the other photos' candidates.
    func excluding(_ excluded: (Int) -> Bool, target: Int, seed: UInt64) -> MemoryCoreset {
        let photo = candidates.photo
        var slot = [Int32](repeating: -1, count: coverage.chosen.count)
        var next = GreedyCoverage(count: candidates.count) { _ in false }
        for (s, c) in coverage.chosen.enumerated() where !excluded(Int(photo[c])) {
            slot[s] = Int32(next.chosen.count)
            next.chosen.append(c)
        }
        // Candidates whose nearest centre stays keep their distance; the others (orphans)
        // are measured against every remaining centre.
        var orphans: [Int] = []
        for x in 0..<candidates.count where coverage.minDistance[x] > -.infinity && !excluded(Int(photo[x])) {
            let s = Int(coverage.nearest[x])
            if s >= 0, slot[s] >= 0 {
                next.minDistance[x] = coverage.minDistance[x]
                next.nearest[x] = slot[s]
            } else {
                orphans.append(x)
            }
        }
        if !orphans.isEmpty {
            let p = candidates.points.dimension
            let orphanRows = orphans.flatMap { candidates.points.point($0) }
            let orphanPoints = orphanRows.withUnsafeBufferPointer { CoresetPoints(rows: $0.baseAddress!, count: orphans.count, dimension: p) }
            var orphanCoverage = GreedyCoverage(count: orphans.count)
            Coreset.cover(&orphanCoverage, points: orphanPoints, centres: next.chosen.flatMap { candidates.points.point($0) }, firstSlot: 0)
            for (k, x) in orphans.enumerated() {
                next.minDistance[x] = orphanCoverage.minDistance[k]
                next.nearest[x] = orphanCoverage.nearest[k]
            }
        }
        var rng = SeededGenerator(seed: seed)
        let first = next.chosen.isEmpty && !orphans.isEmpty ? orphans[Int(rng.next() % UInt64(orphans.count))] : 0
        if !(next.chosen.isEmpty && orphans.isEmpty) {
            Coreset.extend(&next, points: candidates.points, target: target, first: first)
        }
        return MemoryCoreset(candidates, coverage: next)
    }
}
