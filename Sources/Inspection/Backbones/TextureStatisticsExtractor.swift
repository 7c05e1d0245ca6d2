import Checksums
import Imaging
import Networks
import Tensors
import WorkerThreads

/// A fixed, weight-free feature extractor: per 8x8 (and 16x16) cell, the mean and standard
/// deviation of each colour channel and the mean absolute horizontal and vertical luminance
/// gradient (8 numbers per cell). It sees colour spots and scratches on plain or textured
/// surfaces but none of what a trained network knows; it exists so the inspection pipeline
/// can be tested quickly on generated images and used without any stored network.
public final class TextureStatisticsExtractor: FeatureExtractor {
    public static let extractorName = "texture-statistics-v1"
    public let name = TextureStatisticsExtractor.extractorName
    /// A weight-free extractor has no file to hash: this is the SHA-256 of its name, so a
    /// bundle still records which extractor made it.
    public let weightsSHA256 = SHA256.hex(Array(TextureStatisticsExtractor.extractorName.utf8))
    public let normalization = ChannelNormalization.unit(channels: 3)
    public let sizeMultiple = 16

    public init() {}

    public func extract(_ batch: Tensor) -> (stride8: Tensor, stride16: Tensor) {
        (cellStatistics(batch, cell: 8), cellStatistics(batch, cell: 16))
    }

    /// The deep map is the 16x16-cell statistics again; the head starts from fresh weights.
    public func extractWithDeep(_ batch: Tensor) -> (stride8: Tensor, stride16: Tensor, deep: Tensor) {
        let (s8, s16) = extract(batch)
        return (s8, s16, s16)
    }

    /// The stride-4 map is the same statistics of 4x4 cells.
    public func extractWithStride4(_ batch: Tensor, deep: Bool) -> (stride4: Tensor, stride8: Tensor, stride16: Tensor, deep: Tensor?) {
        let (s8, s16) = extract(batch)
        return (cellStatistics(batch, cell: 4), s8, s16, deep ? s16 : nil)
    }

    public var headStart: ConvBatchNorm? { nil }

    private func cellStatistics(_ x: Tensor, cell: Int) -> Tensor {
        let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        precondition(c == 3 && h % cell == 0 && w % cell == 0, "TextureStatisticsExtractor: input \(x.shape) is not RGB or not a multiple of \(cell)")
        let oh = h / cell, ow = w / cell, features = 8
        let out = Tensor(shape: [n, oh, ow, features])
        func luma(_ image: Int, _ y: Int, _ xx: Int) -> Float {
            let p = x.data + ((image * h + y) * w + xx) * 3
            return 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]
        }
        WorkerPool.shared.parallelFor(count: n * oh) { row in
            let image = row / oh, cy = row % oh
            for cx in 0..<ow {
                var sum: [Float] = [0, 0, 0], squares: [Float] = [0, 0, 0]
                var gx: Float = 0, gy: Float = 0
                for y in cy * cell..<(cy + 1) * cell {
                    for xx in cx * cell..<(cx + 1) * cell {
                        let p = x.data + ((image * h + y) * w + xx) * 3
                        for ch in 0..<3 { sum[ch] += p[ch]; squares[ch] += p[ch] * p[ch] }
                        let l = luma(image, y, xx)
                        gx += abs(l - luma(image, y, min(xx + 1, w - 1)))
                        gy += abs(l - luma(image, min(y + 1, h - 1), xx))
                    }
                }
                let count = Float(cell * cell)
                let o = out.data + ((image * oh + cy) * ow + cx) * features
                for ch in 0..<3 {
                    let mean = sum[ch] / count
                    o[ch] = mean
                    o[3 + ch] = (max(squares[ch] / count - mean * mean, 0)).squareRoot()
                }
                // Gradients are scaled up to weigh about as much as the colour statistics.
                o[6] = 4 * gx / count
                o[7] = 4 * gy / count
            }
        }
        return out
    }
}
