import Foundation
import Imaging
import Networks
import Tensors
import WorkerThreads

/// How far scores of good images spread, to turn a score into a confidence.
public struct ScoreCalibration: Sendable, Codable, Equatable {
    /// Median of the out-of-fold scores of good training images.
    public var goodMedian: Float
    /// 95th percentile minus median of those scores (at least a tiny positive number).
    public var goodSpread: Float

    public init(goodScores: [Float]) {
        goodMedian = quantile(goodScores, 0.5)
        goodSpread = max(quantile(goodScores, 0.95) - goodMedian, 1e-6)
    }
}

/// One image's verdict.
public struct InspectionResult: Sendable {
    /// The model's score: the fused score when the model has a supervised head, else the
    /// memory's score.
    public var score: Float
    public var threshold: Float
    public var isAnomalous: Bool { score >= threshold }
    /// The probability that the verdict is right, from the model's curve fitted on the training
    /// photos' out-of-fold scores (`ConfidenceCalibration`); for models made before it existed,
    /// 0.5 + 0.5 tanh(|score - threshold| / spread of good scores).
    public var confidence: Double
    /// Anomaly map at the model's input size (from the memory).
    public var map: AnomalyMap
    /// Share of the map's pixels the mask marks (at or above `maskCutOff`).
    public var anomalousArea: Double
    /// The model's map cut-off in the map's units (memory distances), the scale of the heat
    /// map overlays.
    public var mapThreshold: Float
    /// The cut-off of this photo's mask: the model's map cut-off for an anomalous verdict,
    /// infinity (nothing marked) for a normal one, and a lower one when an anomalous
    /// verdict's map reaches nowhere near the model's cut-off (see `areaNote`).
    public var maskCutOff: Float
    /// Why the mask marks what it marks when that is not simply the model's cut-off; nil
    /// otherwise.
    public var areaNote: String?
    /// The normal-patch memory's score alone.
    public var memoryScore: Float
    /// The supervised head's logit alone; nil without a head.
    public var headScore: Float?
    /// The photo's feature sketch (`FeatureProjection`) for drift monitoring.
    public var featureSketch: [Float] = []
    /// The defect type of each pixel by the segmentation's own pixel rule, whatever the
    /// verdict (what the pixel metrics measure), for a model trained with masks; nil otherwise.
    public var segmentation: SegmentationOutcome? = nil

    /// What the answer marks: `segmentation` for an anomalous verdict, all background for a
    /// normal one (a normal verdict marks nothing). `anomalousArea` is its defect share.
    public var markedSegmentation: SegmentationOutcome? {
        isAnomalous ? segmentation : segmentation?.cleared
    }
}

/// The fine-tuned supervised head of a model trained with anomalous images, and how its
/// logit is fused with the memory's score.
public struct SupervisedHead: @unchecked Sendable {
    public let network: ConvPoolingHead
    /// The same head folded and packed once, for scoring.
    public let folded: FoldedConvPoolingHead
    public let fusion: ScoreFusion
    /// The memory-alone threshold (memory score units): it marks the anomalous area on maps.
    public let memoryThreshold: Float

    public init(network: ConvPoolingHead, fusion: ScoreFusion, memoryThreshold: Float) {
        self.network = network
        folded = FoldedConvPoolingHead(network)
        self.fusion = fusion
        self.memoryThreshold = memoryThreshold
    }
}

/// A trained inspection model: the extractor, the normal-patch memory, the optional
/// supervised head, and the threshold.
public final class InspectionModel: @unchecked Sendable {
    public let extractor: FeatureExtractor
    public let memory: PatchMemory
    public let inputSize: InputSize
    /// Spread of the model's score on good images (for the confidence).
    public let calibration: ScoreCalibration
    /// Weight of the stride-8 features in patch distances (see `PatchFeatures`).
    public let stride8Weight: Float
    public let head: SupervisedHead?
    public var threshold: Float
    /// The mask's cut-off chosen on good photos' maps; nil in models made before it existed
    /// (their masks cut at the memory's image threshold).
    public let mapCutOff: MapCutOff?
    /// Score to the probability that the verdict is right; nil in models made before it existed.
    public let confidenceCalibration: ConfidenceCalibration?
    /// The fixed projection of a photo's pooled patch features to its monitoring sketch.
    public let sketchProjection: FeatureProjection
    /// The segmentation head and its fusion with the memory's map, for a model trained with
    /// masks; nil otherwise.
    public let segmentation: SegmentationModel?

    public init(extractor: FeatureExtractor, memory: PatchMemory, inputSize: InputSize,
                calibration: ScoreCalibration, stride8Weight: Float, threshold: Float, head: SupervisedHead? = nil,
                mapCutOff: MapCutOff? = nil, confidence: ConfidenceCalibration? = nil, segmentation: SegmentationModel? = nil) {
        self.segmentation = segmentation
        self.mapCutOff = mapCutOff
        confidenceCalibration = confidence
        self.stride8Weight = stride8Weight
        self.extractor = extractor
        self.memory = memory
        self.inputSize = inputSize
        self.calibration = calibration
        self.threshold = threshold
        self.head = head
        sketchProjection = FeatureProjection(FeatureSketchParameters(inputDimension: memory.dimension))
    }

    /// Scores images already resized to the input size (RGB). Safe to call from several
    /// threads at once (the scoring threads of `BatchScorer`).
    public func inspect(_ images: [Image]) -> [InspectionResult] {
        // One pass: the deep map for the head, the stride-4 map for the segmentation.
        let extracted = PatchGrid.extractWithMaps(images, with: extractor, stride8Weight: stride8Weight, deep: head != nil,
                                                  stride4: segmentation != nil)
        guard let head else {
            return results(extracted.map(\.grid), headLogits: extracted.map { _ in nil }, stride4Maps: extracted.map(\.stride4), photos: images)
        }
        let logits = head.folded.logits(ofDeepMaps: extracted.compactMap(\.deep))
        let count = min(extracted.count, logits.count)
        return results(extracted.prefix(count).map(\.grid), headLogits: logits.prefix(count).map { $0 },
                       stride4Maps: extracted.prefix(count).map(\.stride4), photos: images)
    }

    /// The per-image work after feature extraction (memory distances, map, area), the images
    /// in parallel on the shared pool; with a single image the memory search itself is split.
    func results(_ grids: [PatchGrid], headLogits: [Float?], stride4Maps: [Tensor?], photos: [Image]) -> [InspectionResult] {
        var results = [InspectionResult?](repeating: nil, count: grids.count)
        results.withUnsafeMutableBufferPointer { out in
            WorkerPool.shared.parallelFor(count: grids.count) { i in
                out[i] = result(grids[i], headLogit: headLogits[i], stride4: i < stride4Maps.count ? stride4Maps[i] : nil,
                                photo: i < photos.count ? photos[i] : nil)
            }
        }
        return results.compactMap { $0 }
    }

    /// One photo's result; the segmentation needs its stride-4 map and the photo (at the input size).
    func result(_ grid: PatchGrid, headLogit: Float?, stride4: Tensor? = nil, photo: Image? = nil) -> InspectionResult {
        let patch = PatchScore(grid: grid, memory: memory)
        let map = patch.map(width: inputSize.width, height: inputSize.height)
        let score = head.flatMap { h in headLogit.map { h.fusion.fuse(memory: patch.score, head: $0) } } ?? patch.score
        let confidence = confidenceCalibration?.confidence(score, decisionThreshold: threshold)
            ?? 0.5 + 0.5 * Double(tanh(abs(score - threshold) / calibration.goodSpread))
        let mapThreshold = mapCutOff?.value ?? head?.memoryThreshold ?? threshold
        let (maskCutOff, note) = Self.maskCutOff(map, anomalous: score >= threshold, cutOff: mapThreshold,
                                                 goodLevel: mapCutOff?.goodMedian)
        var result = InspectionResult(score: score, threshold: threshold, confidence: confidence, map: map,
                                      anomalousArea: map.areaFraction(threshold: maskCutOff), mapThreshold: mapThreshold,
                                      maskCutOff: maskCutOff, areaNote: note, memoryScore: patch.score, headScore: headLogit,
                                      featureSketch: sketchProjection.sketch(grid))
        if let segmentation, let stride4, let photo {
            // The head reads the patch features at stride-8 weight 1.
            let raw = stride8Weight > 0 ? grid.reweighted(stride8Weight: 1 / stride8Weight) : grid
            let outcome = segmentation.segment(raw, stride4: stride4, photo: photo, memoryMap: map, memoryCutOff: mapThreshold)
            result.segmentation = outcome
            result.anomalousArea = 1 - (result.markedSegmentation?.areas.first ?? 1)
            result.areaNote = result.isAnomalous && result.anomalousArea == 0
                ? "the segmentation marked no pixel of this anomalous verdict (no fused pixel score reached its threshold)" : nil
        }
        return result
    }

    /// The mask of a verdict: nothing for a normal one; for an anomalous one, the pixels at or
    /// above the model's cut-off, or, when none reaches it (the supervised head, or a defect
    /// milder on the map than on the image score, made the verdict), the strongest response:
    /// the pixels more than half-way from the good photos' typical map level to this map's
    /// peak, with a note saying so. An anomalous verdict always marks an area.
    static func maskCutOff(_ map: AnomalyMap, anomalous: Bool, cutOff: Float, goodLevel: Float?) -> (Float, String?) {
        guard anomalous else { return (.infinity, nil) }
        let peak = map.values.max() ?? 0
        if peak >= cutOff { return (cutOff, nil) }
        let base = min(goodLevel ?? (map.values.min() ?? 0), peak)
        let fallback = base + (peak - base) / 2
        return (fallback, String(format: "no pixel reached the mask cut-off %.4f (this map peaks at %.4f); marked: the strongest response, "
                                 + "the pixels more than half-way from the good photos' typical level (%.4f) to the peak", cutOff, peak, base))
    }
}
