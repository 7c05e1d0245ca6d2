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
        // Horizontal pass over each row padded with its edge values; the vertical pass adds
        // whole rows (of the edge-clamped row index) scaled by the kernel, which vectorises.
        let w = width, h = height, taps = kernel.count
        var horizontal = [Float](repeating: 0, count: values.count)
        var padded = [Float](repeating: 0, count: w + 2 * radius)
        var out = [Float](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { src in
            horizontal.withUnsafeMutableBufferPointer { hor in
                padded.withUnsafeMutableBufferPointer { pad in
                    kernel.withUnsafeBufferPointer { k in
                        for y in 0..<h {
                            let row = src.baseAddress! + y * w
                            for i in 0..<radius { pad[i] = row[0]; pad[w + radius + i] = row[w - 1] }
                            for x in 0..<w { pad[radius + x] = row[x] }
                            let o = hor.baseAddress! + y * w
                            for x in 0..<w {
                                var s: Float = 0
                                for i in 0..<taps { s += k[i] * pad[x + i] }
                                o[x] = s
                            }
                        }
                    }
                }
            }
        }
        horizontal.withUnsafeBufferPointer { hor in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<h {
                    let o = dst.baseAddress! + y * w
                    for (i, weight) in kernel.enumerated() {
                        let r = hor.baseAddress! + min(max(y + i - radius, 0), h - 1) * w
                        for x in 0..<w { o[x] += weight * r[x] }
                    }
                }
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
