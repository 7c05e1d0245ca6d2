import Foundation
import Testing
import SeededRandom
import Tensors
@testable import Inspection
import WorkerThreads

/// The memory's coreset at scale: the two-stage selection on projected patches against exact
/// greedy selection, the memory cap, fold exclusion against memories selected without the
/// fold, and the same selection on one and two threads.
@Suite(.serialized) struct CoresetTests {
    /// Generated photos of `width` x `height` patches of `dimension` features: every patch is a
    /// noisy copy of one of 40 shared "normal" patterns, and each photo also has a few patches
    /// of its own (rare normal detail that a random sample of patches would mostly miss).
    func photos(_ count: Int, width: Int = 16, height: Int = 12, dimension: Int = 152, seed: UInt64) -> [PatchGrid] {
        var rng = SeededGenerator(seed: seed)
        let patterns = (0..<(40 * dimension)).map { _ in rng.nextGaussian() }
        return (0..<count).map { _ in
            var values = [Float](repeating: 0, count: width * height * dimension)
            for p in 0..<(width * height) {
                let pattern = Int(rng.next() % 40), rare = rng.next() % 64 == 0
                for j in 0..<dimension {
                    values[p * dimension + j] = (rare ? 3 * rng.nextGaussian() : patterns[pattern * dimension + j]) + 0.15 * rng.nextGaussian()
                }
            }
            return PatchGrid(width: width, height: height, dimension: dimension, values: values, stride8Channels: 40)
        }
    }

    /// The largest distance from a patch of `grids` to its nearest row of `memory`.
    func coveringRadius(_ grids: [PatchGrid], _ memory: PatchMemory) -> Float {
        grids.map { grid in grid.values.withUnsafeBufferPointer { memory.nearest($0.baseAddress!, count: grid.patchCount).distances.max() ?? 0 } }.max() ?? 0
    }

    @Test func twoStageProjectedCoresetCoversNearlyAsWellAsExactGreedy() {
        let grids = photos(30, seed: 7)
        let d = grids[0].dimension, all = grids.flatMap(\.values), n = all.count / d
        let target = n / 20
        // Exact greedy: all patches, full features, one pass.
        let points = all.withUnsafeBufferPointer { CoresetPoints(rows: $0.baseAddress!, count: n, dimension: d) }
        var exact = GreedyCoverage(count: n)
        Coreset.extend(&exact, points: points, target: target, first: 0)
        let exactMemory = PatchMemory(bank: exact.chosen.flatMap { all[($0 * d)..<(($0 + 1) * d)] }, dimension: d)
        // Ours: candidates per photo, then the selection over them, distances on a 64-long projection.
        let memory = PatchMemory.build(grids: grids, fraction: 0.05, seed: 3)
        var rng = SeededGenerator(seed: 5)
        let random = (0..<target).map { _ in Int(rng.next() % UInt64(n)) }
        let randomMemory = PatchMemory(bank: random.flatMap { all[($0 * d)..<(($0 + 1) * d)] }, dimension: d)
        let (r0, r1, r2) = (coveringRadius(grids, exactMemory), coveringRadius(grids, memory), coveringRadius(grids, randomMemory))
        print("covering radius of \(target) of \(n) patches: exact greedy \(r0), two-stage on the projection \(r1) (x\(r1 / r0)), random \(r2) (x\(r2 / r0))")
        #expect(memory.count == target)
        #expect(r1 <= 1.25 * r0, "two-stage \(r1) vs exact \(r0)")
        #expect(r2 > 1.5 * r0, "random \(r2) vs exact \(r0): the generated rare patches should need the coreset")
    }

    /// The store keeps a grid's stride-8 features and its coarse map as Float16 and gives back
    /// the same patches (the trailing features upsampled again) to Float16 precision.
    @Test func storedGridsComeBackToHalfPrecision() {
        var rng = SeededGenerator(seed: 9)
        let s8 = Tensor(shape: [1, 12, 16, 8], data: (0..<(12 * 16 * 8)).map { _ in 3 * rng.nextGaussian() })
        let s16 = Tensor(shape: [1, 6, 8, 24], data: (0..<(6 * 8 * 24)).map { _ in rng.nextGaussian() })
        let (patches, coarse) = PatchFeatures.combineKeepingCoarse(stride8: s8, stride16: s16)
        let grid = PatchGrid(width: 16, height: 12, dimension: 32, values: patches.scalars, stride8Channels: 8,
                             coarse: PatchGrid.CoarseGrid(width: 8, height: 6, dimension: 24, values: coarse.scalars))
        let store = PatchGridStore(shapedLike: grid)
        store.append(grid)
        let back = store.grid(0, stride8Weight: 0.5)
        #expect(back.coarse != nil && back.width == 16 && back.height == 12)
        let expected = grid.reweighted(stride8Weight: 0.5).values
        let worst = zip(back.values, expected).map { abs($0 - $1) / max(abs($1), 1) }.max() ?? 1
        print("stored grid: largest relative difference \(worst)")
        #expect(worst <= 1e-3)
    }

    @Test func memorySizeIsCappedAndFloored() {
        #expect(PatchMemory.size(patches: 1_000_000, fraction: 0.1, maximum: 8192) == 8192)
        #expect(PatchMemory.size(patches: 10_000, fraction: 0.1, maximum: 8192) == 1000)
        #expect(PatchMemory.size(patches: 200, fraction: 0.1, maximum: 8192) == PatchMemory.minimumSize)
        #expect(PatchMemory.size(patches: 50, fraction: 0.1, maximum: 8192) == 50)
        let memory = PatchMemory.build(grids: photos(10, seed: 2), fraction: 0.5, maximum: 100, seed: 1)
        #expect(memory.count == 100)
    }

    /// A memory without some photos, made from the coreset by exclusion: never holds their
    /// patches and is as large as asked; when every candidate fits it is exactly the memory
    /// selected without those photos.
    @Test func exclusionMatchesASelectionWithoutThePhotos() {
        let grids = photos(8, seed: 11)
        let store = PatchGridStore(shapedLike: grids[0])
        for grid in grids { store.append(grid) }
        let candidates = CoresetCandidates.select(store, photos: Array(0..<8), perPhoto: 1000, stride8Weight: 1, seed: 1)
        let coreset = MemoryCoreset(candidates, including: { _ in true }, target: 200, seed: 1)
        let excluded: Set = [2, 5]
        let smaller = coreset.excluding({ excluded.contains($0) }, target: 150, seed: 2)
        #expect(smaller.count == 150)
        #expect(smaller.sourcePhotos.allSatisfy { !excluded.contains($0) })
        let everything = candidates.photo.count { !excluded.contains(Int($0)) }
        let all = coreset.excluding({ excluded.contains($0) }, target: everything, seed: 2)
        let rebuilt = MemoryCoreset(candidates, including: { !excluded.contains($0) }, target: everything, seed: 2)
        #expect(Set(all.coverage.chosen) == Set(rebuilt.coverage.chosen))
        #expect(all.count == everything)
    }

    /// Out-of-fold scores with fold exclusion equal the scores against memories selected
    /// without each fold when the memories keep every candidate; with a 10% memory they stay
    /// close to them.
    @Test func outOfFoldScoresMatchRebuiltMemories() throws {
        let grids = photos(12, seed: 13)
        let store = PatchGridStore(shapedLike: grids[0])
        for grid in grids { store.append(grid) }
        let labels = [Bool](repeating: false, count: 12)
        let indices = Array(0..<12)
        for (fraction, tolerance) in [(1.0, Float(1e-5)), (0.1, Float(0.05))] {
            var options = TrainingOptions()
            options.coresetFraction = fraction
            options.folds = 4
            let memorySize = options.memorySize(patches: 12 * store.patchesPerGrid)
            let candidates = CoresetCandidates.select(store, photos: indices, perPhoto: CoresetCandidates.perPhoto(memorySize: memorySize, photos: 12),
                                                      stride8Weight: 1, seed: options.seed)
            let phases = TrainingPhases(plan: TrainingPlan(trainPhotos: 12, goodPhotos: 12, testPhotos: 0, supervised: false, weightCandidates: 1,
                                                           holdOut: false, memorySize: memorySize, candidates: candidates.count,
                                                           options: options), progress: { _ in })
            let fitted = try MemoryFitting.fit(indices, stride8Weight: 1, features: store, candidates: candidates, labels: labels,
                                               options: options, phases: phases)
            let fold = MemoryFitting.folds(indices, labels: labels, options: options)
            var worst: Float = 0
            for (index, score) in zip(fitted.oofIndices, fitted.oofScores) {
                let f = try #require(fold[index])
                let others = indices.filter { fold[$0] != f }
                let rebuilt = MemoryCoreset(candidates, including: { fold[$0] != f }, target: options.memorySize(patches: others.count * store.patchesPerGrid),
                                            seed: options.seed).memory
                let expected = PatchScore(grid: store.grid(index), memory: rebuilt).score
                worst = max(worst, abs(score - expected) / expected)
            }
            print("coreset fraction \(fraction): largest relative difference of out-of-fold scores, exclusion vs rebuilt memories: \(worst)")
            #expect(worst <= tolerance)
        }
    }

    /// Beyond `maxOutOfFoldGoodPhotos` good photos, a fold scores its first share of good
    /// photos and every anomalous one.
    @Test func outOfFoldScoringKeepsAShareOfGoodPhotosAndEveryAnomalousOne() {
        var options = TrainingOptions()
        options.maxOutOfFoldGoodPhotos = 6
        let labels = [Bool](repeating: false, count: 20) + [true, true, true]
        let fold = [3, 20, 5, 7, 21, 9, 22]
        #expect(MemoryFitting.scored(fold, labels: labels, folds: 3, options: options) == [3, 20, 5, 21, 22])
        options.maxOutOfFoldGoodPhotos = 1000
        #expect(MemoryFitting.scored(fold, labels: labels, folds: 3, options: options) == fold)
    }

    @Test func greedySelectionIsTheSameOnOneAndTwoThreads() {
        var rng = SeededGenerator(seed: 3)
        let (n, d) = (20_000, 64)
        let rows = (0..<(n * d)).map { _ in rng.nextGaussian() }
        let points = rows.withUnsafeBufferPointer { CoresetPoints(rows: $0.baseAddress!, count: n, dimension: d) }
        let saved = WorkerPool.shared.threads
        defer { WorkerPool.shared.threads = saved }
        var chosen: [[Int]] = []
        for threads in [1, 2] {
            WorkerPool.shared.threads = threads
            var coverage = GreedyCoverage(count: n)
            Coreset.extend(&coverage, points: points, target: 200, first: 17)
            chosen.append(coverage.chosen)
        }
        #expect(chosen[0] == chosen[1])
    }

    /// Training on one thread and on two gives the same model: memory, threshold, calibration.
    @Test(arguments: [CoresetSelection.twoStage, .exact])
    func trainingGivesTheSameModelOnOneAndTwoThreads(selection: CoresetSelection) throws {
        let root = NSTemporaryDirectory() + "coreset-threads-\(selection.rawValue)-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let dirs = try SyntheticSurfaces.writeDataset(to: root, good: 10, defective: 4, width: 160, height: 120, seed: 4)
        let data = try InspectionDataset.folders(good: dirs.good, bad: dirs.bad)
        let saved = WorkerPool.shared.threads
        defer { WorkerPool.shared.threads = saved }
        var models: [TrainingResult] = []
        for threads in [1, 2] {
            WorkerPool.shared.threads = threads
            var options = TrainingOptions()
            options.inputLongSide = 160
            options.threads = threads
            options.head.maxEpochs = 2
            options.head.variantsPerImage = 2
            options.coresetSelection = selection
            models.append(try Trainer.train(data, extractor: TextureStatisticsExtractor(), options: options))
        }
        let (a, b) = (models[0], models[1])
        let difference = zip(a.model.memory.bank, b.model.memory.bank).map { abs($0 - $1) }.max() ?? 0
        print("one vs two threads: memory \(a.model.memory.count) vs \(b.model.memory.count) patches, largest difference \(difference); threshold \(a.model.threshold) vs \(b.model.threshold)")
        #expect(a.model.memory.bank == b.model.memory.bank)
        #expect(a.model.threshold == b.model.threshold)
        #expect(a.model.calibration == b.model.calibration)
        #expect(a.evaluationScores.map(\.score) == b.evaluationScores.map(\.score))
    }

    /// `auto` selects exactly up to the patch budget and in two stages above it: on a small
    /// training set its memory is the exact selection's, patch for patch, and differs from the
    /// two-stage one (so the comparison can tell them apart).
    @Test func automaticSelectionIsExactUpToThePatchBudget() throws {
        var options = TrainingOptions()
        #expect(options.coresetSelection == .automatic)
        #expect(options.selectsExactly(patches: CoresetSelection.exactPatchBudget))
        #expect(!options.selectsExactly(patches: CoresetSelection.exactPatchBudget + 1))
        let root = NSTemporaryDirectory() + "coreset-automatic-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let dirs = try SyntheticSurfaces.writeDataset(to: root, good: 10, defective: 0, width: 160, height: 120, seed: 6)
        let data = try InspectionDataset.folders(good: dirs.good, bad: nil)
        options.inputLongSide = 160
        options.holdOutReport = false
        var banks: [CoresetSelection: [Float]] = [:]
        for selection in [CoresetSelection.automatic, .exact, .twoStage] {
            options.coresetSelection = selection
            banks[selection] = try Trainer.train(data, extractor: TextureStatisticsExtractor(), options: options).model.memory.bank
        }
        print("memory of 10 photos: auto \(banks[.automatic]?.count ?? 0) values, exact \(banks[.exact]?.count ?? 0), two-stage \(banks[.twoStage]?.count ?? 0)")
        #expect(banks[.automatic] == banks[.exact])
        #expect(banks[.automatic] != banks[.twoStage])
    }
}
