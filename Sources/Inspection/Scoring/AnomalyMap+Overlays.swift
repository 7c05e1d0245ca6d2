import Imaging

extension AnomalyMap {
    /// The binary mask at the threshold: red (#FF0000, Lookout's anomaly colour) where the
    /// map reaches the threshold, black elsewhere.
    public func maskImage(threshold: Float) -> Image {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for (i, v) in values.enumerated() where v >= threshold { pixels[i * 3] = 255 }
        return Image(width: width, height: height, format: .rgb, pixels: pixels)
    }

    /// The photo with the map blended in red: heat 0 at half the threshold, full at twice
    /// the threshold, at most 60% opacity; the map is resized to the photo.
    public func overlay(on photo: Image, threshold: Float) -> Image {
        let rgb = photo.converted(to: .rgb)
        let map = resized(width: rgb.width, height: rgb.height)
        var pixels = rgb.pixels
        let low = threshold / 2, high = max(threshold * 2, low + 1e-6)
        for i in 0..<(rgb.width * rgb.height) {
            let heat = min(max((map.values[i] - low) / (high - low), 0), 1) * 0.6
            guard heat > 0 else { continue }
            pixels[i * 3] = UInt8(Float(pixels[i * 3]) * (1 - heat) + 255 * heat)
            pixels[i * 3 + 1] = UInt8(Float(pixels[i * 3 + 1]) * (1 - heat))
            pixels[i * 3 + 2] = UInt8(Float(pixels[i * 3 + 2]) * (1 - heat))
        }
        return Image(width: rgb.width, height: rgb.height, format: .rgb, pixels: pixels)
    }
}
