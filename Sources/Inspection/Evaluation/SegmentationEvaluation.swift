/// A segmentation model's figures on some photos: per defect type, intersection over union
/// and F1 of its marked pixels against the true ones (all photos' pixels together: marked
/// pixels on good photos count as false positives), their mean over the types, and the pixel
/// AUROC and PRO of the fused anomaly score (any defect against background).
public struct SegmentationReport: Codable, Sendable, Equatable {
    public struct LabelFigures: Codable, Sendable, Equatable {
        public var name: String
        public var color: String
        public var iou: Double?
        public var f1: Double?
        public var precision: Double?
        public var recall: Double?
        /// True pixels of this type.
        public var pixels: Int
    }
    public var labels: [LabelFigures]
    /// Mean IoU over the types that have true or marked pixels.
    public var meanIoU: Double?
    public var pixelAUROC: Double?
    public var perRegionOverlap: Double?
    /// The memory-only binary mask's IoU (any defect) on the same photos, for comparison.
    public var memoryOnlyIoU: Double?
    public var photos: Int
    /// What the figures were measured on.
    public var measuredOn: String
}

/// Gathers segmented photos beside their true class masks (both at the model's input size).
public struct SegmentationEvaluation: Sendable {
    public let labels: SegmentationLabels
    /// Per class: pixels marked and true, marked, true.
    private var both: [Int], marked: [Int], truth: [Int]
    /// Memory-only binary mask against any defect.
    private var memoryIntersection = 0, memoryUnion = 0
    private var pixels: PixelEvaluation
    public private(set) var photos = 0

    public init(labels: SegmentationLabels, width: Int) {
        self.labels = labels
        let k = labels.classCount
        both = [Int](repeating: 0, count: k)
        marked = both
        truth = both
        pixels = PixelEvaluation(width: width)
    }

    /// One photo: what the model marked, the truth, and the memory's map with its cut-off.
    public mutating func add(_ outcome: SegmentationOutcome, truth mask: LabelMask, memoryMap: AnomalyMap, memoryCutOff: Float) {
        precondition(mask.classes.count == outcome.classes.count && memoryMap.values.count == outcome.classes.count,
                     "SegmentationEvaluation: \(outcome.classes.count) pixels marked, \(mask.classes.count) true, \(memoryMap.values.count) mapped")
        photos += 1
        for (markedClass, trueClass) in zip(outcome.classes, mask.classes) {
            let (m, t) = (Int(markedClass), Int(trueClass))
            guard m < marked.count, t < truth.count else { continue }
            marked[m] += 1
            truth[t] += 1
            if m == t { both[m] += 1 }
        }
        for (v, t) in zip(memoryMap.values, mask.classes) {
            let (isMarked, isTrue) = (v >= memoryCutOff, t != 0)
            if isMarked && isTrue { memoryIntersection += 1 }
            if isMarked || isTrue { memoryUnion += 1 }
        }
        pixels.add(map: AnomalyMap(width: outcome.width, height: outcome.height, values: outcome.anomaly), cutOff: pixelInfinity,
                   truth: mask.classes.map { $0 != 0 })
    }

    private let pixelInfinity = Float.infinity

    /// One scored photo of a segmentation model (others are ignored) against its mask file,
    /// decoded with the model's labels; `maskPath` nil is a good photo (all background).
    public mutating func add(_ r: InspectionResult, maskPath: String?, photo: String) throws(InspectionError) {
        guard let outcome = r.segmentation else { return }
        let truth = try maskPath.map { (path) throws(InspectionError) -> LabelMask in
            try LabelMask.load(path, photo: photo, labels: labels).resized(width: outcome.width, height: outcome.height,
                                                                           classCount: labels.classCount)
        } ?? LabelMask.background(width: outcome.width, height: outcome.height)
        add(outcome, truth: truth, memoryMap: r.map, memoryCutOff: r.mapThreshold)
    }

    public func report(measuredOn: String) -> SegmentationReport {
        var figures: [SegmentationReport.LabelFigures] = []
        for (c, label) in labels.labels.enumerated() {
            let k = c + 1
            let union = marked[k] + truth[k] - both[k]
            let precision = marked[k] > 0 ? Double(both[k]) / Double(marked[k]) : nil
            let recall = truth[k] > 0 ? Double(both[k]) / Double(truth[k]) : nil
            // F1 = 2 TP / (2 TP + FP + FN), the Dice coefficient of the marked and true pixels.
            let f1 = marked[k] + truth[k] > 0 ? 2 * Double(both[k]) / Double(marked[k] + truth[k]) : nil
            figures.append(.init(name: label.name, color: label.color, iou: union > 0 ? Double(both[k]) / Double(union) : nil,
                                 f1: f1, precision: precision, recall: recall, pixels: truth[k]))
        }
        let ious = figures.compactMap(\.iou)
        return SegmentationReport(labels: figures, meanIoU: ious.isEmpty ? nil : ious.reduce(0, +) / Double(ious.count),
                                  pixelAUROC: pixels.auroc, perRegionOverlap: pixels.perRegionOverlap,
                                  memoryOnlyIoU: memoryUnion > 0 ? Double(memoryIntersection) / Double(memoryUnion) : nil,
                                  photos: photos, measuredOn: measuredOn)
    }
}
