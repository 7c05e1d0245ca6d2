import SeededRandom
import Tensors
import WorkerThreads

/// The first stage of the memory's two-stage coreset: from each photo, a greedy coreset of
/// its own patches. Greedy selection costs points x centres per run; selecting per photo
/// first (each photo on its own, the photos spread over the cores), then over the union,
/// costs a fraction of one pass over all patches and keeps every photo's rare patches (a
/// photo's outlying patches are the first its greedy selection takes).
///
/// Distances are taken on a seeded Gaussian random projection of the patches to
/// `projectedDimension` (Johnson-Lindenstrauss: distances change by a small factor), in both
/// stages; the memory keeps the chosen patches' full features.
struct CoresetCandidates: Sendable {
    /// Full patch features (stride-8 weight applied), `count` rows of `dimension`.
    let rows: [Float]
    let dimension: Int
    /// The same patches projected, for the selection.
    let points: CoresetPoints
    /// The store index of each candidate's photo.
    let photo: [Int32]

    var count: Int { photo.count }

    /// Length of the random projection the selection measures distances in.
    static let projectedDimension = 64
    /// Largest share of a photo's patches it contributes.
    static let largestShare = 0.3
    /// Candidates per memory patch, when the photos have that many to give: the selection
    /// over the candidates chooses among several for each patch it keeps.
    static let perMemoryPatch = 8

    /// Candidates from each of `photos` photos for a memory of `memorySize` patches.
    static func perPhoto(memorySize: Int, photos: Int) -> Int {
        (perMemoryPatch * memorySize + photos - 1) / max(photos, 1)
    }

    /// Every patch of the photos, unprojected: the memory's selection is then exact greedy
    /// k-center over all patches on full features (the reference the two stages approximate).
    static func all(_ store: PatchGridStore, photos: [Int], stride8Weight: Float,
                    progress: @Sendable (Int) -> Void = { _ in }) -> CoresetCandidates {
        let d = store.dimension, n = store.patchesPerGrid
        var rows = [Float]()
        rows.reserveCapacity(photos.count * n * d)
        for (done, photo) in photos.enumerated() {
            rows += store.grid(photo, stride8Weight: stride8Weight).values
            progress(done + 1)
        }
        let photoOf = photos.flatMap { [Int32](repeating: Int32($0), count: n) }
        return CoresetCandidates(rows: rows, dimension: d,
                                 points: rows.withUnsafeBufferPointer { CoresetPoints(rows: $0.baseAddress!, count: photoOf.count, dimension: d) },
                                 photo: photoOf)
    }

    /// Candidates from the photos at `photos` (store indices), `perPhoto` from each (at
    /// most `largestShare` of its patches, at least one), their stride-8 features scaled by
    /// `stride8Weight`. Photo i's selection starts from a patch drawn with seed
    /// `seed + i`, so a photo's candidates do not depend on the others.
    static func select(_ store: PatchGridStore, photos: [Int], perPhoto: Int, stride8Weight: Float, seed: UInt64,
                       progress: @Sendable (Int) -> Void = { _ in }) -> CoresetCandidates {
        let d = store.dimension, n = store.patchesPerGrid
        let p = min(projectedDimension, d)
        let keep = max(1, min(perPhoto, Int((Double(n) * largestShare).rounded())))
        var rng = SeededGenerator(seed: seed)
        let projection = Tensor.randomNormal(shape: [d, p], std: 1 / Float(p).squareRoot(), using: &rng)
        var perPhotoRows = [[Float]](repeating: [], count: photos.count)
        var perPhotoProjected = [[Float]](repeating: [], count: photos.count)
        let done = ProgressCounter()
        perPhotoRows.withUnsafeMutableBufferPointer { rowsOut in
            perPhotoProjected.withUnsafeMutableBufferPointer { projectedOut in
                WorkerPool.shared.parallelFor(count: photos.count) { job in
                    let photo = photos[job]
                    let grid = store.grid(photo, stride8Weight: stride8Weight)
                    var projected = [Float](repeating: 0, count: n * p)
                    grid.values.withUnsafeBufferPointer { a in
                        projected.withUnsafeMutableBufferPointer { c in
                            sgemm(transA: false, transB: false, m: n, n: p, k: d, a: a.baseAddress!, lda: d,
                                  b: projection.data, ldb: p, c: c.baseAddress!, ldc: p)
                        }
                    }
                    var chosen = Array(0..<n)
                    if keep < n {
                        let points = projected.withUnsafeBufferPointer { CoresetPoints(rows: $0.baseAddress!, count: n, dimension: p) }
                        var coverage = GreedyCoverage(count: n)
                        var photoRNG = SeededGenerator(seed: seed &+ UInt64(photo))
                        Coreset.extend(&coverage, points: points, target: keep, first: Int(photoRNG.next() % UInt64(n)), parallel: false)
                        chosen = coverage.chosen
                    }
                    var rows = [Float](), kept = [Float]()
                    rows.reserveCapacity(chosen.count * d)
                    kept.reserveCapacity(chosen.count * p)
                    for i in chosen {
                        rows += grid.values[(i * d)..<((i + 1) * d)]
                        kept += projected[(i * p)..<((i + 1) * p)]
                    }
                    rowsOut[job] = rows
                    projectedOut[job] = kept
                    progress(done.increment())
                }
            }
        }
        let photoOf = photos.indices.flatMap { [Int32](repeating: Int32(photos[$0]), count: perPhotoRows[$0].count / d) }
        let projectedRows = Array(perPhotoProjected.joined())
        return CoresetCandidates(rows: Array(perPhotoRows.joined()), dimension: d,
                                 points: projectedRows.withUnsafeBufferPointer { CoresetPoints(rows: $0.baseAddress!, count: photoOf.count, dimension: p) },
                                 photo: photoOf)
    }
}
