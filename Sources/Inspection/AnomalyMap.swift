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

    /// Separable Gaussian blur, kernel radius ceil(4 sigma), edges clamped.
    public func gaussianSmoothed(sigma: Float) -> AnomalyMap {
        let radius = Int((4 * sigma).rounded(.up))
        var kernel = (-radius...radius).map { exp(-Float($0 * $0) / (2 * sigma * sigma)) }
        let total = kernel.reduce(0, +)
        kernel = kernel.map { $0 / total }
        var horizontal = [Float](repeating: 0, count: values.count)
        for y in 0..<height {
            for x in 0..<width {
                var s: Float = 0
                for (i, k) in kernel.enumerated() { s += k * values[y * width + min(max(x + i - radius, 0), width - 1)] }
                horizontal[y * width + x] = s
            }
        }
        var out = [Float](repeating: 0, count: values.count)
        for y in 0..<height {
            for x in 0..<width {
                var s: Float = 0
                for (i, k) in kernel.enumerated() { s += k * horizontal[min(max(y + i - radius, 0), height - 1) * width + x] }
                out[y * width + x] = s
            }
        }
        return AnomalyMap(width: width, height: height, values: out)
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
