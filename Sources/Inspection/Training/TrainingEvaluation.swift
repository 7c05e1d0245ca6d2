import Imaging
import Networks
import Tensors

/// One model's scores on the evaluation images and its report at its own threshold.
struct ModelEvaluation {
    var model: String
    var report: EvaluationReport
    var scores: [Float]
}

/// The evaluation step: the evaluated model's memory (and head, when it has one) scores the
/// evaluation images; each of "fused", "memory alone" and "fine-tuned head alone" is
/// reported at its own threshold chosen on training data. The first entry is the model's own
/// (the part `ScoringDecision` saved when the fused model was not).
enum TrainingEvaluation {
    /// Held-back training images, from the stored features.
    static func heldOut(_ evalIndices: [Int], memory: FittedMemory, head: FittedHead?, store: PatchGridStore, deepMaps: DeepMaps,
                        labels: [Bool]) -> [ModelEvaluation] {
        let memoryScores = MemoryFitting.scoreInParallel(evalIndices) {
            PatchScore(grid: store.grid($0, stride8Weight: memory.stride8Weight), memory: memory.memory).score
        }
        let headScores = head.map { FoldedConvPoolingHead($0.head).logits(ofDeepMaps: evalIndices.map { deepMaps.variants[$0][0] }) }
        return reports(memoryScores: memoryScores, headScores: headScores, labels: evalIndices.map { labels[$0] }, memory: memory, head: head)
    }

    /// Test photos, decoded and scored a chunk at a time (never all held at once). Returns
    /// the reports and each photo's own size.
    static func testSet(_ images: [LabeledImage], size: InputSize, memory: FittedMemory, head: FittedHead?, extractor: FeatureExtractor,
                        threads: Int, progress: (Int) -> Void) throws(InspectionError) -> (evaluations: [ModelEvaluation], photoSizes: [InputSize]) {
        let folded = head.map { FoldedConvPoolingHead($0.head) }
        var memoryScores: [Float] = [], headScores: [Float] = [], photoSizes: [InputSize] = []
        for start in stride(from: 0, to: images.count, by: TrainingFeatures.chunk) {
            let paths = images[start..<min(images.count, start + TrainingFeatures.chunk)].map(\.path)
            let photos = try PhotoLoading.loadAll(paths, size: size, threads: threads) { _ in }
            for batch in stride(from: 0, to: photos.count, by: 4) {
                let extracted = PatchGrid.extractWithMaps(photos[batch..<min(photos.count, batch + 4)].map(\.resized), with: extractor,
                                                          stride8Weight: memory.stride8Weight, deep: folded != nil, stride4: false)
                memoryScores += MemoryFitting.scoreInParallel(Array(extracted.indices)) {
                    PatchScore(grid: extracted[$0].grid, memory: memory.memory).score
                }
                if let folded { headScores += folded.logits(ofDeepMaps: extracted.compactMap(\.deep)) }
            }
            photoSizes += photos.map(\.photoSize)
            progress(photoSizes.count)
        }
        return (reports(memoryScores: memoryScores, headScores: folded == nil ? nil : headScores, labels: images.map(\.isAnomalous),
                        memory: memory, head: head), photoSizes)
    }

    static func reports(memoryScores: [Float], headScores: [Float]?, labels: [Bool], memory: FittedMemory, head: FittedHead?) -> [ModelEvaluation] {
        let memoryAlone = ModelEvaluation(model: "memory alone",
                                          report: EvaluationReport(scores: memoryScores, labels: labels, threshold: memory.choice.threshold),
                                          scores: memoryScores)
        guard let head, let headScores else { return [memoryAlone] }
        let headAlone = ModelEvaluation(model: "fine-tuned head alone",
                                        report: EvaluationReport(scores: headScores, labels: labels, threshold: head.headChoice.threshold),
                                        scores: headScores)
        switch head.decision.part {
        case .memory:
            return [memoryAlone, headAlone]
        case .head:
            let standardised = headScores.map { head.fusion.fuse(memory: 0, head: $0) }
            return [ModelEvaluation(model: "fine-tuned head alone (saved)",
                                    report: EvaluationReport(scores: standardised, labels: labels, threshold: head.choice.threshold),
                                    scores: standardised), memoryAlone]
        case .fused:
            let fused = zip(memoryScores, headScores).map { head.fusion.fuse(memory: $0.0, head: $0.1) }
            return [ModelEvaluation(model: "fused", report: EvaluationReport(scores: fused, labels: labels, threshold: head.choice.threshold),
                                    scores: fused),
                    memoryAlone, headAlone]
        }
    }
}
