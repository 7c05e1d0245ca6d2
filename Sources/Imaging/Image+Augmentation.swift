// Training-time augmentation: rotation by an arbitrary angle (bilinear resampling) and colour jitter.
import Foundation

extension Image {
    /// The image turned by `degrees` (counterclockwise as displayed) about its centre, same
    /// size. Output (x, y) samples the source at the inverse-rotated position with bilinear
    /// weights; positions outside the source take the nearest edge pixel, so no artificial
    /// border appears.
    public func rotated(degrees: Double) -> Image {
        guard width > 0, height > 0, degrees != 0 else { return self }
        let c = channels
        let angle = degrees * .pi / 180
        let (cosA, sinA) = (cos(angle), sin(angle))
        let cx = Double(width - 1) / 2, cy = Double(height - 1) / 2
        var out = [UInt8](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { src in
            for y in 0..<height {
                for x in 0..<width {
                    // Inverse rotation (image y points down, so counterclockwise on screen).
                    let dx = Double(x) - cx, dy = Double(y) - cy
                    let sx = min(max(cosA * dx - sinA * dy + cx, 0), Double(width - 1))
                    let sy = min(max(sinA * dx + cosA * dy + cy, 0), Double(height - 1))
                    let x0 = Int(sx), y0 = Int(sy)
                    let x1 = min(x0 + 1, width - 1), y1 = min(y0 + 1, height - 1)
                    let fx = sx - Double(x0), fy = sy - Double(y0)
                    for k in 0..<c {
                        let top = Double(src[(y0 * width + x0) * c + k]) * (1 - fx) + Double(src[(y0 * width + x1) * c + k]) * fx
                        let bottom = Double(src[(y1 * width + x0) * c + k]) * (1 - fx) + Double(src[(y1 * width + x1) * c + k]) * fx
                        out[(y * width + x) * c + k] = UInt8(max(0, min(255, (top * (1 - fy) + bottom * fy).rounded())))
                    }
                }
            }
        }
        return Image(width: width, height: height, format: format, pixels: out)
    }

    /// Colour jitter of an RGB image: contrast about the image's mean luminance, then
    /// saturation about each pixel's luminance, then brightness, all as factors (1 = unchanged):
    /// v' = brightness * (grey + saturation * (contrast-adjusted v - grey)). Other formats
    /// are returned unchanged.
    public func colourJittered(brightness: Double, contrast: Double, saturation: Double) -> Image {
        guard format == .rgb, !pixels.isEmpty else { return self }
        func luma(_ r: Double, _ g: Double, _ b: Double) -> Double { 0.299 * r + 0.587 * g + 0.114 * b }
        var total = 0.0
        for i in stride(from: 0, to: pixels.count, by: 3) {
            total += luma(Double(pixels[i]), Double(pixels[i + 1]), Double(pixels[i + 2]))
        }
        let meanLuma = total / Double(pixels.count / 3)
        var out = pixels
        for i in stride(from: 0, to: pixels.count, by: 3) {
            let r = meanLuma + contrast * (Double(pixels[i]) - meanLuma)
            let g = meanLuma + contrast * (Double(pixels[i + 1]) - meanLuma)
            let b = meanLuma + contrast * (Double(pixels[i + 2]) - meanLuma)
            let grey = luma(r, g, b)
            for (k, v) in [r, g, b].enumerated() {
                out[i + k] = UInt8(max(0, min(255, (brightness * (grey + saturation * (v - grey))).rounded())))
            }
        }
        return Image(width: width, height: height, format: format, pixels: out)
    }
}
