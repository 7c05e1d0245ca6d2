import Checksums
import Foundation
import ModelCards
import Networks
import Tensors

/// `model.json` of a model bundle (DESIGN.md): what the model is, what it was made with and
/// how well it did.
public struct ModelCard: Codable, Sendable, Equatable {
    public static let kind = "inspect-anomaly-model"
    /// Version 1: memory-only models. Version 2: models with a supervised head (`head`), whose
    /// score and threshold are fused ones, so a program that reads only version 1 refuses them
    /// instead of scoring with the memory alone against a fused threshold.
    public static let memoryOnlyVersion = 1
    public static let currentVersion = 2

    public struct Backbone: Codable, Sendable, Equatable {
        public var name: String
        public var sha256: String
    }
    public struct Weights: Codable, Sendable, Equatable {
        public var file: String
        public var sha256: String
    }
    public struct Memory: Codable, Sendable, Equatable {
        public var patches: Int
        public var dimension: Int
        public var coresetFraction: Double
        public var reweightingNeighbours: Int
        public var mapSigma: Float
        /// Weight of the stride-8 features (stride-16 features weigh 1).
        public var stride8Weight: Float
    }
    public struct ClassBalance: Codable, Sendable, Equatable {
        public var good: Int
        public var anomalous: Int
    }

    public var kind: String
    public var version: Int
    public var created: String
    public var inputSize: InputSize
    public var backbone: Backbone
    public var threshold: Float
    public var thresholdMethod: String
    public var calibration: ScoreCalibration
    public var memory: Memory
    /// Metrics on the held-back (or given test) images, with what they were measured on.
    public var trainingMetrics: EvaluationReport?
    public var evaluatedOn: String
    public var classBalance: ClassBalance
    public var weights: Weights
    /// Which scores make the model's score: `memoryScoring` (the normal-patch memory alone,
    /// when trained on good images only) or `fusedScoring` (memory and fine-tuned head).
    public var scoring: String
    /// The supervised head, when the model has one.
    public var head: Head?
    /// Memory alone, head alone and fused on the evaluation set, each at its own threshold.
    public var ablation: [String: EvaluationReport]?
    /// Size of the training photos (the first one's, as decoded); photos of other sizes are
    /// resized to `inputSize` all the same, and `score` says how many differed. Absent in
    /// bundles written before it existed.
    public var photoSize: InputSize?
    /// The cut-off of the binary masks, chosen on good photos' maps; absent in bundles written
    /// before it existed (their masks cut at the memory's image threshold).
    public var mapCutOff: MapCutOff? = nil
    /// The curve that turns a score into the probability that its verdict is right; absent in
    /// bundles written before it existed (their confidence is 0.5 + 0.5 tanh(|score -
    /// threshold| / good spread), not a probability).
    public var confidence: ConfidenceCalibration? = nil
    /// Why the model decides with a part of the fused model (memory or head alone); absent
    /// when it is the fused model, or memory-only by training.
    public var scoringNote: String? = nil
    /// The saved threshold on the training photos' out-of-fold scores: decisions, margins,
    /// expected false-alarm and miss rates, reliability. Absent in older bundles.
    public var atThreshold: ThresholdReport? = nil
    /// Training images left out because they could not be read (`train --skip-unreadable`);
    /// absent when none were.
    public var skippedUnreadable: [SkippedImage]? = nil
    /// The training photos' count and content hash; absent in bundles written before it existed.
    public var trainingData: TrainingData? = nil
    /// The segmentation head of a model trained with masks: its defect types and colours,
    /// its fusion with the memory's map and its out-of-fold figures; absent otherwise. A
    /// program that does not know it scores the same verdicts without the types.
    public var segmentation: Segmentation? = nil

    public static let memoryScoring = "memory"
    public static let fusedScoring = "fused: memory + fine-tuned head"

    /// What the supervised head is and how its logit joins the memory's score.
    public struct Head: Codable, Sendable, Equatable {
        /// Channels of the deep map it reads, and of its 1x1 convolution.
        public var inputChannels: Int
        public var width: Int
        /// "efficientnet-lite0 head convolution" (fine-tuned) or "fresh weights".
        public var startedFrom: String
        /// Training epochs (the early-stopping point of the cross-validation) and its folds.
        public var epochs: Int
        public var folds: Int
        public var variantsPerImage: Int
        public var fusion: ScoreFusion
        /// Threshold of the memory score alone: marks the anomalous area of the maps.
        public var memoryThreshold: Float
        /// Threshold of the head's logit alone (for comparison; the model uses `threshold`).
        public var headThreshold: Float
        public var headThresholdMethod: String
    }
}

extension ModelCard {
    /// What the segmentation head is (`SegmentationModel`) and what it was chosen on.
    public struct Segmentation: Codable, Sendable, Equatable {
        public var labels: SegmentationLabels
        /// Features it reads per stride-4 cell (`SegmentationFeatures`): the backbone's
        /// `stride4Channels` stride-4 channels, then the memory's patch features; hidden units.
        public var inputs: Int
        public var stride4Channels: Int
        public var hiddenUnits: Int
        /// The fusion f = max(1 - p_background, memoryWeight * min(memory map / cut-off, 2) / 2),
        /// marked with the head's most likely type when f reaches that type's threshold.
        public var memoryWeight: Float
        /// The pixel threshold of each type, in the order of `labels`.
        public var pixelThresholds: [Float]?
        /// One threshold for every type: read from cards written before `pixelThresholds`.
        public var pixelThreshold: Float?
        public var chosenOn: String
        public var maskedPhotos: Int
        public var samples: Int
        public var epochs: Int
        public var folds: Int
        /// Out-of-fold figures on the training photos at the chosen fusion and threshold.
        public var outOfFold: SegmentationReport
        /// The per-pixel stage on top of the head (`PixelRefinement`), when the
        /// cross-validation chose it; its tensors are `segmentation.refinement.*`. Absent in
        /// cards written before it existed (the head alone, as then).
        public var refinement: Refinement? = nil

        /// What the pixel refinement reads: `inputs` features per pixel (the head's anomaly
        /// logit, the memory's map, the photo's contrasts at `contrastSigmas` and line
        /// channels at `lineSigmas`, `PhotoContrast`), `hiddenUnits`.
        public struct Refinement: Codable, Sendable, Equatable {
            public var inputs: Int
            public var hiddenUnits: Int
            public var contrastSigmas: [Float]
            public var lineSigmas: [Float]
        }

        init(_ fitted: FittedSegmentation, options: SegmentationOptions) {
            labels = fitted.model.labels
            inputs = fitted.model.head.inputs
            stride4Channels = fitted.stride4Channels
            hiddenUnits = fitted.model.head.hidden
            memoryWeight = fitted.model.memoryWeight
            pixelThresholds = fitted.model.pixelThresholds
            chosenOn = fitted.chosenOn
            maskedPhotos = fitted.maskedPhotos
            samples = fitted.samples
            epochs = fitted.epochs
            folds = fitted.folds
            outOfFold = fitted.outOfFold
            refinement = fitted.model.refinement.map {
                Refinement(inputs: $0.network.inputs, hiddenUnits: $0.network.hidden, contrastSigmas: PhotoContrast.sigmas,
                           lineSigmas: PhotoContrast.lineSigmas)
            }
        }
    }
}

/// A model bundle: a directory with `model.json` and `weights.safetensors` (the memory bank).
public enum ModelBundle {
    public static let cardFile = "model.json"
    public static let weightsFile = "weights.safetensors"
    /// Prefix of the supervised head's tensors in the weights file.
    public static let headPrefix = "head."
    /// Prefix of the segmentation head's tensors in the weights file.
    public static let segmentationPrefix = "segmentation."
    /// Prefix of the segmentation's pixel refinement's tensors in the weights file.
    public static let refinementPrefix = "segmentation.refinement."

    /// Writes the bundle (creating the directory). The weights are written first and hashed
    /// into the card; the monitoring baseline, when given, goes to `baseline.json` beside it.
    public static func save(_ model: InspectionModel, card: ModelCard, baseline: MonitoringBaseline? = nil,
                            to directory: String) throws(InspectionError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw InspectionError(directory, "cannot create the model folder: \(error.localizedDescription)")
        }
        let weightsPath = (directory as NSString).appendingPathComponent(weightsFile)
        let data: Data
        do {
            var tensors = [(name: "memory.bank", shape: [model.memory.count, model.memory.dimension], values: model.memory.bank)]
            for (name, tensor) in model.head?.network.namedTensors ?? [] {
                tensors.append((name: headPrefix + name, shape: tensor.shape, values: tensor.scalars))
            }
            for (name, tensor) in model.segmentation?.head.namedTensors ?? [] {
                tensors.append((name: segmentationPrefix + name, shape: tensor.shape, values: tensor.scalars))
            }
            for (name, tensor) in model.segmentation?.refinement?.network.namedTensors ?? [] {
                tensors.append((name: refinementPrefix + name, shape: tensor.shape, values: tensor.scalars))
            }
            data = try SafetensorsWriter.encode(tensors, metadata: ["format": ModelCard.kind])
            try data.write(to: URL(fileURLWithPath: weightsPath), options: .atomic)
        } catch {
            throw InspectionError(weightsPath, "cannot write the weights: \(error)")
        }
        var card = card
        card.weights = ModelCard.Weights(file: weightsFile, sha256: SHA256.hex(data))
        let cardPath = (directory as NSString).appendingPathComponent(cardFile)
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(card).write(to: URL(fileURLWithPath: cardPath), options: .atomic)
        } catch {
            throw InspectionError(cardPath, "cannot write the model card: \(error.localizedDescription)")
        }
        if let baseline { try saveBaseline(baseline, to: directory) }
    }

    /// Reads only the card (to learn which backbone to load).
    public static func readCard(_ directory: String) throws(InspectionError) -> ModelCard {
        let cardPath = (directory as NSString).appendingPathComponent(cardFile)
        guard let data = FileManager.default.contents(atPath: cardPath) else {
            throw InspectionError(directory, "not a model bundle: \(cardFile) is missing or unreadable")
        }
        let card: ModelCard
        do {
            card = try ModelCardReader.decode(ModelCard.self, from: data, file: cardPath)
        } catch {
            throw InspectionError(cardPath, "not a valid model card: \(error.problem)")
        }
        guard card.kind == ModelCard.kind else {
            throw InspectionError(cardPath, "kind is \"\(card.kind)\", expected \"\(ModelCard.kind)\"")
        }
        guard (ModelCard.memoryOnlyVersion...ModelCard.currentVersion).contains(card.version) else {
            throw InspectionError(cardPath, "model format version \(card.version); this program reads versions \(ModelCard.memoryOnlyVersion) to \(ModelCard.currentVersion)")
        }
        guard card.version >= ModelCard.currentVersion || card.head == nil else {
            throw InspectionError(cardPath, "a version \(card.version) card cannot carry a supervised head")
        }
        return card
    }

    /// Loads a bundle with the given extractor, checking that the extractor is the one the
    /// model was trained with and that the weights are intact.
    public static func load(_ directory: String, extractor: FeatureExtractor) throws(InspectionError) -> (model: InspectionModel, card: ModelCard) {
        let card = try readCard(directory)
        guard card.backbone.name == extractor.name else {
            throw InspectionError(directory, "the model was trained with backbone \"\(card.backbone.name)\", not \"\(extractor.name)\"")
        }
        guard card.backbone.sha256 == extractor.weightsSHA256 else {
            throw InspectionError(directory, "the model was trained with other \(card.backbone.name) weights (sha256 \(card.backbone.sha256.prefix(12))…, installed \(extractor.weightsSHA256.prefix(12))…); retrain it")
        }
        let weightsPath = (directory as NSString).appendingPathComponent(card.weights.file)
        guard let data = FileManager.default.contents(atPath: weightsPath) else {
            throw InspectionError(weightsPath, "the weights file is missing or unreadable")
        }
        let digest = SHA256.hex(data)
        guard digest == card.weights.sha256 else {
            throw InspectionError(weightsPath, "the weights file is corrupted or was changed (sha256 \(digest.prefix(12))…, the card says \(card.weights.sha256.prefix(12))…)")
        }
        let bank: [Float], file: SafetensorsFile
        do {
            file = try SafetensorsFile(data: data, source: weightsPath)
            bank = try file.floats("memory.bank", shape: [card.memory.patches, card.memory.dimension])
        } catch {
            throw InspectionError(weightsPath, "\(error)")
        }
        guard bank.allSatisfy(\.isFinite) else { throw InspectionError(weightsPath, "the memory holds non-finite values") }
        let memory = PatchMemory(bank: bank, dimension: card.memory.dimension)
        let head = try card.head.map { h throws(InspectionError) in try loadHead(h, from: file, path: weightsPath, scoring: card.scoring) }
        if head == nil && card.scoring != ModelCard.memoryScoring {
            throw InspectionError((directory as NSString).appendingPathComponent(cardFile),
                                  "scoring is \"\(card.scoring)\" but the card describes no head")
        }
        let segmentation = try card.segmentation.map { (s) throws(InspectionError) in
            try loadSegmentation(s, from: file, path: weightsPath, dimension: card.memory.dimension)
        }
        let model = InspectionModel(extractor: extractor, memory: memory, inputSize: card.inputSize,
                                    calibration: card.calibration, stride8Weight: card.memory.stride8Weight, threshold: card.threshold,
                                    head: head, mapCutOff: card.mapCutOff, confidence: card.confidence, segmentation: segmentation)
        return (model, card)
    }

    /// The segmentation head's tensors, checked for names, shapes and finite values, and its
    /// labels and fusion checked for sense.
    static func loadSegmentation(_ s: ModelCard.Segmentation, from file: SafetensorsFile, path: String,
                                 dimension: Int) throws(InspectionError) -> SegmentationModel {
        guard s.stride4Channels > 0, s.inputs == s.stride4Channels + dimension, s.hiddenUnits > 0, !s.labels.labels.isEmpty,
              s.labels.labels.count < 255 else {
            throw InspectionError(path, "the card's segmentation reads \(s.inputs) features (\(s.stride4Channels) of the stride-4 map) "
                                  + "with \(s.hiddenUnits) hidden units and \(s.labels.labels.count) types; the memory's patches have \(dimension)")
        }
        guard s.memoryWeight.isFinite, s.memoryWeight >= 0, s.labels.labels.allSatisfy({ SegmentationLabels.rgb($0.color) != nil }) else {
            throw InspectionError(path, "the card's segmentation fusion or colours are out of range")
        }
        let thresholds = s.pixelThresholds ?? s.pixelThreshold.map { [Float](repeating: $0, count: s.labels.labels.count) } ?? []
        guard thresholds.count == s.labels.labels.count, thresholds.allSatisfy(\.isFinite) else {
            throw InspectionError(path, "the card's segmentation.pixelThresholds must hold one finite threshold per type "
                                  + "(\(s.labels.labels.count)), got \(s.pixelThresholds.map { "\($0)" } ?? "none")")
        }
        let tensors = try loadTensors(PatchSegmentationHead.tensorShapes(inputs: s.inputs, hidden: s.hiddenUnits, classes: s.labels.classCount),
                                      prefix: segmentationPrefix, of: "segmentation head", from: file, path: path)
        let refinement = try s.refinement.map { (r) throws(InspectionError) -> PixelRefinement in
            guard r.inputs == PixelRefinement.featureCount, r.contrastSigmas == PhotoContrast.sigmas, r.lineSigmas == PhotoContrast.lineSigmas,
                  r.hiddenUnits > 0 else {
                throw InspectionError(path, "the card's segmentation.refinement reads \(r.inputs) features per pixel (contrasts at sigmas "
                                      + "\(r.contrastSigmas), lines at \(r.lineSigmas)) with \(r.hiddenUnits) hidden units; this program computes "
                                      + "\(PixelRefinement.featureCount) (contrasts at sigmas \(PhotoContrast.sigmas), lines at \(PhotoContrast.lineSigmas)): "
                                      + "train the model again")
            }
            let tensors = try loadTensors(PatchSegmentationHead.tensorShapes(inputs: r.inputs, hidden: r.hiddenUnits, classes: 2),
                                          prefix: refinementPrefix, of: "segmentation's pixel refinement", from: file, path: path)
            return PixelRefinement(network: PatchSegmentationHead(tensors: tensors))
        }
        return SegmentationModel(head: PatchSegmentationHead(tensors: tensors), labels: s.labels, memoryWeight: s.memoryWeight,
                                 pixelThresholds: thresholds, refinement: refinement)
    }

    /// The head's tensors, checked for names, shapes and finite values.
    static func loadHead(_ h: ModelCard.Head, from file: SafetensorsFile, path: String, scoring: String) throws(InspectionError) -> SupervisedHead {
        guard scoring == ModelCard.fusedScoring else {
            throw InspectionError(path, "the card describes a head but its scoring is \"\(scoring)\"")
        }
        let tensors = try loadTensors(ConvPoolingHead.tensorShapes(inputChannels: h.inputChannels, width: h.width),
                                      prefix: headPrefix, of: "supervised head", from: file, path: path)
        guard (h.fusion.memoryWeight >= 0 && h.fusion.memoryWeight <= 1), h.fusion.memory.goodSpread > 0, h.fusion.head.goodSpread > 0 else {
            throw InspectionError(path, "the card's fusion weights or calibration are out of range")
        }
        return SupervisedHead(network: ConvPoolingHead(tensors: tensors), fusion: h.fusion, memoryThreshold: h.memoryThreshold)
    }

    /// A head's tensors from the weights file, each read as `prefix + name` with its expected
    /// shape and checked for finite values; an error names the file and the `head`.
    static func loadTensors(_ shapes: [(name: String, shape: [Int])], prefix: String, of head: String, from file: SafetensorsFile,
                            path: String) throws(InspectionError) -> [String: Tensor] {
        var tensors: [String: Tensor] = [:]
        for (name, shape) in shapes {
            let values: [Float]
            do { values = try file.floats(prefix + name, shape: shape) } catch {
                throw InspectionError(path, "the \(head)'s weights: \(error)")
            }
            guard values.allSatisfy(\.isFinite) else {
                throw InspectionError(path, "the \(head)'s tensor \(prefix + name) holds non-finite values")
            }
            tensors[name] = Tensor(shape: shape, data: values)
        }
        return tensors
    }
}
