import Imaging

extension SegmentationOutcome {
    /// The classes at another size, each output pixel taking the class of the input pixel
    /// under its centre (nearest neighbour: classes are not blended).
    public func classes(width newWidth: Int, height newHeight: Int) -> [UInt8] {
        if newWidth == width && newHeight == height { return classes }
        var out = [UInt8](repeating: 0, count: newWidth * newHeight)
        for y in 0..<newHeight {
            let sy = min(height - 1, Int((Double(y) + 0.5) * Double(height) / Double(newHeight)))
            for x in 0..<newWidth {
                let sx = min(width - 1, Int((Double(x) + 0.5) * Double(width) / Double(newWidth)))
                out[y * newWidth + x] = classes[sy * width + sx]
            }
        }
        return out
    }

    /// The colour of each class (background black).
    var palette: [(UInt8, UInt8, UInt8)] {
        [(0, 0, 0)] + labels.labels.map { SegmentationLabels.rgb($0.color) ?? (255, 0, 0) }
    }

    /// The coloured mask at `size` (Lookout's AnomalyMask of a segmentation model): each
    /// defect type in its colour, the background black.
    public func maskImage(size: InputSize) -> Image {
        let resized = classes(width: size.width, height: size.height), colours = palette
        var pixels = [UInt8](repeating: 0, count: resized.count * 3)
        for (i, c) in resized.enumerated() where c != 0 && Int(c) < colours.count {
            let colour = colours[Int(c)]
            pixels[i * 3] = colour.0
            pixels[i * 3 + 1] = colour.1
            pixels[i * 3 + 2] = colour.2
        }
        return Image(width: size.width, height: size.height, format: .rgb, pixels: pixels)
    }

    /// The photo with each marked pixel blended 50% towards its type's colour.
    public func overlay(on photo: Image) -> Image {
        let rgb = photo.converted(to: .rgb)
        let resized = classes(width: rgb.width, height: rgb.height), colours = palette
        var pixels = rgb.pixels
        for (i, c) in resized.enumerated() where c != 0 && Int(c) < colours.count {
            let colour = colours[Int(c)]
            pixels[i * 3] = UInt8((Int(pixels[i * 3]) + Int(colour.0)) / 2)
            pixels[i * 3 + 1] = UInt8((Int(pixels[i * 3 + 1]) + Int(colour.1)) / 2)
            pixels[i * 3 + 2] = UInt8((Int(pixels[i * 3 + 2]) + Int(colour.2)) / 2)
        }
        return Image(width: rgb.width, height: rgb.height, format: .rgb, pixels: pixels)
    }
}
