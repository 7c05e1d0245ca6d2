import Imaging

/// Anomaly maps gathered beside their ground-truth masks, for pixel AUROC, PRO and the
/// overlap of the binary masks the model marks.
public struct PixelEvaluation: Sendable {
    public private(set) var maps: [[Float]] = []
    public private(set) var masks: [[Bool]] = []
    /// Row length of every map and mask.
    public let width: Int
    /// Pixels marked and true on anomalous photos with masks, summed over photos.
    private var intersection = 0, union = 0

    public init(width: Int) { self.width = width }

    /// One photo: its map (at the model's input size), the cut-off that marks its binary mask,
    /// and its ground truth at the same size (all false for a good photo).
    public mutating func add(map: AnomalyMap, cutOff: Float, truth: [Bool]) {
        precondition(map.width == width && map.values.count == truth.count,
                     "PixelEvaluation: a \(map.width)-wide map of \(map.values.count) pixels, truth of \(truth.count)")
        maps.append(map.values)
        masks.append(truth)
        guard truth.contains(true) else { return }
        for (v, t) in zip(map.values, truth) {
            let marked = v >= cutOff
            if marked && t { intersection += 1 }
            if marked || t { union += 1 }
        }
    }

    public var count: Int { maps.count }
    public var auroc: Double? { PixelMetrics.auroc(maps: maps, masks: masks) }
    public var perRegionOverlap: Double? { PixelMetrics.perRegionOverlap(maps: maps, masks: masks, width: width) }
    /// Intersection over union of the marked and the true defect pixels, over all anomalous
    /// photos with masks together; nil without any.
    public var markedIoU: Double? { union > 0 ? Double(intersection) / Double(union) : nil }
}

/// Ground-truth masks: white, or any colour with a channel >= 128 after resizing (a mask
/// coloured by defect type), is the defect.
public enum GroundTruthMask {
    /// The mask file at `width` x `height` (bilinear), as one flag per pixel.
    public static func load(_ path: String, width: Int, height: Int) throws(InspectionError) -> [Bool] {
        do {
            let mask = try Image(contentsOfFile: path).converted(to: .rgb).resized(width: width, height: height, filter: .bilinear)
            return (0..<(width * height)).map { max(mask.pixels[$0 * 3], mask.pixels[$0 * 3 + 1], mask.pixels[$0 * 3 + 2]) >= 128 }
        } catch {
            throw InspectionError(path, error.reason)
        }
    }
}
