import Foundation
import Tensors

/// A per-pixel anomaly score map (row-major, `width * height` values).
public struct AnomalyMap: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var values: [Float]

    public init(width: Int, height: Int, values: [Float]) {
        precondition(values.count == width * height, "AnomalyMap: \(values.count) values for \(width)x\(height)")
        self.width = width
        self.height = height
        self.values = values
    }

    /// PatchCore's map: patch distances on the stride-8 grid, upsampled bilinearly to the
    /// image size and smoothed by a Gaussian of `sigma` pixels (sigma 4 in the paper).
    public static func fromPatchScores(_ scores: [Float], gridWidth: Int, gridHeight: Int,
                                       width: Int, height: Int, sigma: Float = 4) -> AnomalyMap {
        let grid = Tensor(shape: [1, gridHeight, gridWidth, 1], data: scores)
        let up = resizeBilinear(grid, height: height, width: width)
        let map = AnomalyMap(width: width, height: height, values: up.scalars)
        return sigma > 0 ? map.gaussianSmoothed(sigma: sigma) : map
    }

    /// Separable Gaussian blur, kernel radius ceil(4 sigma), edges clamped (`gaussianBlur`).
    public func gaussianSmoothed(sigma: Float) -> AnomalyMap {
        AnomalyMap(width: width, height: height, values: gaussianBlur(values, width: width, height: height, sigma: sigma))
    }

    /// Resampled to another size (bilinear), for overlays on the original photo.
    public func resized(width newWidth: Int, height newHeight: Int) -> AnomalyMap {
        if newWidth == width && newHeight == height { return self }
        let t = Tensor(shape: [1, height, width, 1], data: values)
        return AnomalyMap(width: newWidth, height: newHeight, values: resizeBilinear(t, height: newHeight, width: newWidth).scalars)
    }

    /// Share (0...1) of pixels at or above the threshold.
    public func areaFraction(threshold: Float) -> Double {
        Double(values.count { $0 >= threshold }) / Double(max(values.count, 1))
    }
}
