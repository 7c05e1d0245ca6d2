/// Simple statistics of a photo for monitoring what a model is shown (`inspect monitor`): its
/// size, and the brightness, contrast and sharpness of its luma (ITU-R BT.601, as
/// `converted(to: .gray)` computes it, 0-255).
public struct ImageStatistics: Sendable, Codable, Equatable {
    /// The photo's own size (upright), in pixels.
    public var width: Int
    public var height: Int
    /// Mean luma.
    public var brightness: Double
    /// Standard deviation of the luma (RMS contrast).
    public var contrast: Double
    /// Variance of the luma's Laplacian (the 4-neighbour kernel [0 1 0; 1 -4 1; 0 1 0] over
    /// the interior pixels): high for crisp edges and fine texture, low when blurred
    /// (Pech-Pacheco et al., "Diatom autofocusing in brightfield microscopy", ICPR 2000).
    public var sharpness: Double

    public init(width: Int, height: Int, brightness: Double, contrast: Double, sharpness: Double) {
        self.width = width
        self.height = height
        self.brightness = brightness
        self.contrast = contrast
        self.sharpness = sharpness
    }
}

extension Image {
    /// The statistics of this image; `photoWidth` and `photoHeight` give the photo's own size
    /// when this is a scaled decode of it (the image's size otherwise).
    public func statistics(photoWidth: Int? = nil, photoHeight: Int? = nil) -> ImageStatistics {
        let luma = converted(to: .gray).pixels
        let count = max(1, width * height)
        var sum = 0.0, squares = 0.0
        for v in luma {
            let x = Double(v)
            sum += x
            squares += x * x
        }
        let mean = sum / Double(count)
        let variance = max(0, squares / Double(count) - mean * mean)
        var lSum = 0.0, lSquares = 0.0, interior = 0
        if width >= 3 && height >= 3 {
            luma.withUnsafeBufferPointer { p in
                for y in 1..<(height - 1) {
                    let row = y * width
                    var rowSum = 0, rowSquares = 0
                    for x in 1..<(width - 1) {
                        let i = row + x
                        let l = Int(p[i - width]) + Int(p[i + width]) + Int(p[i - 1]) + Int(p[i + 1]) - 4 * Int(p[i])
                        rowSum += l
                        rowSquares += l * l
                    }
                    lSum += Double(rowSum)
                    lSquares += Double(rowSquares)
                }
            }
            interior = (width - 2) * (height - 2)
        }
        let lMean = interior > 0 ? lSum / Double(interior) : 0
        let sharpness = interior > 0 ? max(0, lSquares / Double(interior) - lMean * lMean) : 0
        return ImageStatistics(width: photoWidth ?? width, height: photoHeight ?? height, brightness: mean,
                               contrast: variance.squareRoot(), sharpness: sharpness)
    }
}
