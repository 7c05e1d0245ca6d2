import Foundation
import Imaging
import Networks
import Tensors

/// A photo segmented: a class per pixel at the model's input size (0: background), the fused
/// anomaly score per pixel it was cut from, and each class's share of the pixels.
public struct SegmentationOutcome: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var classes: [UInt8]
    /// The fused per-pixel anomaly score (0...1), cut at each type's pixel threshold.
    public var anomaly: [Float]
    public var labels: SegmentationLabels

    /// Share (0...1) of the pixels of each class, by class index (background first).
    public var areas: [Double] {
        var counts = [Int](repeating: 0, count: labels.classCount)
        for c in classes where Int(c) < counts.count { counts[Int(c)] += 1 }
        return counts.map { Double($0) / Double(max(classes.count, 1)) }
    }

    /// The same outcome with every pixel background (a normal verdict marks nothing).
    public var cleared: SegmentationOutcome {
        var copy = self
        copy.classes = [UInt8](repeating: 0, count: classes.count)
        return copy
    }
}

/// The segmentation part of a model trained with masks: the per-cell head, the defect
/// types, and how its map is fused with the memory's.
///
/// Per pixel, with p the head's class probabilities (the stride-4 cell grid upsampled
/// bilinearly to the input size), a = 1 - p_background the head's anomaly, and m the memory's map divided
/// by its cut-off (1 at the cut-off, capped at 2), the fused score is
///     f = max(a, w * m / 2)
/// A pixel is marked with the defect type the head finds most likely there when f reaches
/// that type's threshold (`pixelThresholds`: a thin scratch's probabilities stay lower than a
/// spot's). With w > 0 a defect the masks never showed is still marked where the memory
/// is sure of it (m well above its cut-off); w and the thresholds are chosen by
/// cross-validation on the training photos (`SegmentationFitting`). With a pixel refinement
/// (`PixelRefinement`, also chosen by that cross-validation) a is its per-pixel anomaly instead.
public struct SegmentationModel: @unchecked Sendable {
    public let head: PatchSegmentationHead
    public let labels: SegmentationLabels
    public let memoryWeight: Float
    /// The pixel threshold of each defect type, in the order of `labels.labels`.
    public let pixelThresholds: [Float]
    /// The per-pixel stage on top of the head; nil: the head's upsampled probabilities alone.
    public let refinement: PixelRefinement?

    public init(head: PatchSegmentationHead, labels: SegmentationLabels, memoryWeight: Float, pixelThresholds: [Float],
                refinement: PixelRefinement? = nil) {
        precondition(pixelThresholds.count == labels.labels.count,
                     "SegmentationModel: \(pixelThresholds.count) thresholds for \(labels.labels.count) types")
        self.head = head
        self.labels = labels
        self.memoryWeight = memoryWeight
        self.pixelThresholds = pixelThresholds
        self.refinement = refinement
    }

    /// The head's class probabilities of an image's cells [1, H/4, W/4, D]
    /// (`SegmentationFeatures`), upsampled bilinearly to `width` x `height`: [1, height, width, K].
    static func probabilityMap(head: PatchSegmentationHead, cells: Tensor, width: Int, height: Int) -> Tensor {
        let (h, w, d) = (cells.shape[1], cells.shape[2], cells.shape[3])
        let p = head.probabilities(Tensor(shape: [h * w, d], data: Array(UnsafeBufferPointer(start: cells.data, count: h * w * d))))
        p.reshape(to: [1, h, w, head.classes])
        return resizeBilinear(p, height: height, width: width)
    }

    /// Segments one photo: `grid` its patch features at stride-8 weight 1, `stride4` its
    /// stride-4 map [1, H/4, W/4, C4] from the same pass, `photo` the photo at the input size
    /// (read by the pixel refinement), `memoryMap` the memory's map at the input size,
    /// `memoryCutOff` the map's cut-off.
    public func segment(_ grid: PatchGrid, stride4: Tensor, photo: Image, memoryMap: AnomalyMap, memoryCutOff: Float) -> SegmentationOutcome {
        var probabilities = Self.probabilityMap(head: head, cells: SegmentationFeatures.cells(stride4: stride4, grid: grid),
                                                width: memoryMap.width, height: memoryMap.height)
        if let refinement {
            // The photo is at the input size when it comes through `InspectionModel.inspect`.
            let sized = photo.width == memoryMap.width && photo.height == memoryMap.height ? photo
                : photo.resized(width: memoryMap.width, height: memoryMap.height, filter: .antialiased)
            probabilities = refinement.refined(probabilities, contrast: PhotoContrast(sized), memoryMap: memoryMap, memoryCutOff: memoryCutOff)
        }
        return Self.cut(probabilities, memoryMap: memoryMap, memoryCutOff: memoryCutOff, memoryWeight: memoryWeight,
                        pixelThresholds: pixelThresholds, labels: labels)
    }

    /// The fused scores and the classes of a probability map (see the type's description).
    static func cut(_ probabilities: Tensor, memoryMap: AnomalyMap, memoryCutOff: Float, memoryWeight: Float, pixelThresholds: [Float],
                    labels: SegmentationLabels) -> SegmentationOutcome {
        let k = labels.classCount, n = memoryMap.values.count
        precondition(probabilities.count == n * k && pixelThresholds.count == k - 1,
                     "SegmentationModel: \(probabilities.count) probabilities for \(n) pixels of \(k) classes, \(pixelThresholds.count) thresholds")
        var anomaly = [Float](repeating: 0, count: n), classes = [UInt8](repeating: 0, count: n)
        let scale = memoryCutOff > 0 ? 1 / memoryCutOff : 0
        for i in 0..<n {
            let row = probabilities.data + i * k
            var best = 1, bestP = -Float.infinity
            for c in 1..<k where row[c] > bestP { bestP = row[c]; best = c }
            let f = max(1 - row[0], memoryWeight * min(memoryMap.values[i] * scale, 2) / 2)
            anomaly[i] = f
            if f >= pixelThresholds[best - 1] { classes[i] = UInt8(best) }
        }
        return SegmentationOutcome(width: memoryMap.width, height: memoryMap.height, classes: classes, anomaly: anomaly, labels: labels)
    }
}
