import Imaging

/// A ground-truth mask decoded into a class per pixel (0: background, 1...: the labels'
/// defect types), at the mask file's own size.
public struct LabelMask: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let classes: [UInt8]

    public init(width: Int, height: Int, classes: [UInt8]) {
        precondition(classes.count == width * height, "LabelMask: \(classes.count) classes for \(width)x\(height)")
        self.width = width
        self.height = height
        self.classes = classes
    }

    /// A pixel's colour matches a map colour when no channel differs by more than this (PNG
    /// masks are exact; this forgives a mask saved with slight colour management).
    static let colorTolerance = 8

    /// The mask of `photo` from the file at `path`. White masks: a pixel with a channel >= 128 is the defect.
    /// Coloured masks: each pixel must be the background's colour or a label's; any other
    /// colour is refused, naming the mask, the photo, the colour and where it is.
    public static func load(_ path: String, photo: String, labels: SegmentationLabels) throws(InspectionError) -> LabelMask {
        let image: Image
        do { image = try Image(contentsOfFile: path) } catch { throw InspectionError(path, error.reason) }
        return try decode(image, path: path, photo: photo, labels: labels)
    }

    /// `load` on an image already decoded.
    public static func decode(_ image: Image, path: String, photo: String, labels: SegmentationLabels) throws(InspectionError) -> LabelMask {
        let count = image.width * image.height
        if labels.whiteMasks {
            // As `GroundTruthMask`: white, or any colour with a channel >= 128, is the defect.
            let rgb = image.converted(to: .rgb)
            return LabelMask(width: image.width, height: image.height, classes: (0..<count).map {
                max(rgb.pixels[$0 * 3], rgb.pixels[$0 * 3 + 1], rgb.pixels[$0 * 3 + 2]) >= 128 ? 1 : 0
            })
        }
        let rgb = image.converted(to: .rgb)
        var palette: [(UInt8, UInt8, UInt8)] = []
        for color in [labels.backgroundColor] + labels.labels.map(\.color) {
            guard let c = SegmentationLabels.rgb(color) else { throw InspectionError(path, "the colour map holds \"\(color)\", not a colour") }
            palette.append(c)
        }
        var classes = [UInt8](repeating: 0, count: count)
        var lastColor: (UInt8, UInt8, UInt8)? = nil, lastClass: UInt8 = 0
        for i in 0..<count {
            let c = (rgb.pixels[i * 3], rgb.pixels[i * 3 + 1], rgb.pixels[i * 3 + 2])
            if let last = lastColor, last == c { classes[i] = lastClass; continue }
            guard let match = palette.firstIndex(where: {
                abs(Int($0.0) - Int(c.0)) <= colorTolerance && abs(Int($0.1) - Int(c.1)) <= colorTolerance
                    && abs(Int($0.2) - Int(c.2)) <= colorTolerance
            }) else {
                let known = (["background \(labels.backgroundColor)"] + labels.labels.map { "\($0.name) \($0.color)" }).joined(separator: ", ")
                throw InspectionError(path, "mask of \(photo): colour \(SegmentationLabels.hex(c.0, c.1, c.2)) at x=\(i % image.width), "
                                      + "y=\(i / image.width) is not in the colour map (\(known))")
            }
            lastColor = c
            lastClass = UInt8(match)
            classes[i] = lastClass
        }
        return LabelMask(width: image.width, height: image.height, classes: classes)
    }

    /// An all-background mask (a good photo's).
    public static func background(width: Int, height: Int) -> LabelMask {
        LabelMask(width: width, height: height, classes: [UInt8](repeating: 0, count: width * height))
    }

    /// One grey image per defect class 1..<classCount: 255 where the pixel is of that class.
    /// These go through the same geometric augmentation as the photo (`AugmentationDraw`),
    /// and their resampled grey levels are each class's coverage of the new pixels.
    public func classImages(classCount: Int) -> [Image] {
        (1..<max(classCount, 1)).map { c in
            Image(width: width, height: height, format: .gray, pixels: classes.map { Int($0) == c ? 255 : 0 })
        }
    }

    /// The mask at another size: each class's coverage resampled (antialiased), and each pixel
    /// given the defect class covering it most when that coverage is at least half, else the
    /// background (as a white mask is cut at 128 after resizing).
    public func resized(width newWidth: Int, height newHeight: Int, classCount: Int) -> LabelMask {
        if newWidth == width && newHeight == height { return self }
        let layers = classImages(classCount: classCount).map { $0.resized(width: newWidth, height: newHeight, filter: .antialiased) }
        return LabelMask.fromCoverage(layers, width: newWidth, height: newHeight)
    }

    /// The class per pixel of per-class coverage images (see `resized`).
    public static func fromCoverage(_ layers: [Image], width: Int, height: Int) -> LabelMask {
        var classes = [UInt8](repeating: 0, count: width * height)
        for i in 0..<classes.count {
            var best: UInt8 = 127
            for (c, layer) in layers.enumerated() where layer.pixels[i] > best {
                best = layer.pixels[i]
                classes[i] = UInt8(c + 1)
            }
        }
        return LabelMask(width: width, height: height, classes: classes)
    }
}
