import Foundation

extension ModelCard {
    /// The card of a freshly trained model: what it was made from, its memory and head, its
    /// threshold and how it was chosen, and the evaluation (its first entry is the model's own; none without a report).
    init(trained model: InspectionModel, memory: FittedMemory, head: FittedHead?, choice: ThresholdChoice,
         extractor: FeatureExtractor, dataset: InspectionDataset, evaluation: [ModelEvaluation], evaluatedOn: String,
         options: TrainingOptions, photoSize: InputSize) {
        self.init(kind: ModelCard.kind, version: head == nil ? ModelCard.memoryOnlyVersion : ModelCard.currentVersion,
                  created: ISO8601DateFormatter().string(from: Date()), inputSize: model.inputSize,
                  backbone: .init(name: extractor.name, sha256: extractor.weightsSHA256),
                  threshold: choice.threshold, thresholdMethod: choice.method,
                  calibration: model.calibration,
                  memory: .init(patches: model.memory.count, dimension: model.memory.dimension,
                                coresetFraction: options.coresetFraction,
                                reweightingNeighbours: PatchMemory.reweightingNeighbours, mapSigma: 4,
                                stride8Weight: memory.stride8Weight),
                  trainingMetrics: evaluation.first?.report, evaluatedOn: evaluatedOn,
                  classBalance: .init(good: dataset.goodCount, anomalous: dataset.anomalousCount),
                  weights: .init(file: ModelBundle.weightsFile, sha256: ""),
                  scoring: head == nil ? ModelCard.memoryScoring : ModelCard.fusedScoring,
                  head: head.map { h in
                      ModelCard.Head(inputChannels: h.head.inputChannels, width: h.head.width,
                                     startedFrom: extractor.headStart == nil ? "fresh weights" : "\(extractor.name) head convolution",
                                     epochs: h.epochs, folds: h.folds, variantsPerImage: options.head.variantsPerImage,
                                     fusion: h.fusion, memoryThreshold: memory.choice.threshold,
                                     headThreshold: h.headChoice.threshold, headThresholdMethod: h.headChoice.method)
                  },
                  ablation: evaluation.count > 1 ? Dictionary(uniqueKeysWithValues: evaluation.map { ($0.model, $0.report) }) : nil,
                  photoSize: photoSize, mapCutOff: memory.mapCutOff)
    }
}
