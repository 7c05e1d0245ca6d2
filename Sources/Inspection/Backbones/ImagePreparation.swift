import Imaging
import Tensors

/// The model's input size (multiples of the extractor's deepest stride).
public struct InputSize: Sendable, Equatable, Codable, CustomStringConvertible {
    public var width: Int
    public var height: Int
    public init(width: Int, height: Int) { self.width = width; self.height = height }
    public var description: String { "\(width)x\(height)" }

    /// The size for photos of `width` x `height`: the longer side becomes `longSide`, the
    /// aspect ratio is kept, and both sides are rounded to multiples of `multiple`.
    public static func fitting(width: Int, height: Int, longSide: Int, multiple: Int) -> InputSize {
        let scale = Double(longSide) / Double(max(width, height, 1))
        func round(_ v: Int) -> Int { max(multiple, Int((Double(v) * scale / Double(multiple)).rounded()) * multiple) }
        return InputSize(width: round(width), height: round(height))
    }
}

/// A photo decoded and resized for the model.
public struct PreparedImage: Sendable {
    /// The photo as decoded (orientation applied), RGB.
    public var original: Image
    /// Resized to the input size.
    public var resized: Image
    /// The photo's own size (before any DCT scaling in decoding), upright.
    public var photoSize: InputSize
}

/// Decoding and resizing as Lookout for Vision accepts photos: PNG or JPEG within
/// `PhotoSizeLimits`; other sizes than the input size are resized (aspect ratio not kept).
public enum ImagePreparation {
    public static let largestSide = PhotoSizeLimits.largestSide

    /// Decodes (large JPEGs DCT-scaled down towards the input size), checks the size limits
    /// and resizes. `original` is the decoded photo, at most DCT-scaled.
    public static func load(_ path: String, size: InputSize) throws(InspectionError) -> PreparedImage {
        let decoded: DecodedImage
        do {
            decoded = try ImageDecoder.decodeFile(path, options: DecodeOptions(maxPixels: largestSide * largestSide,
                                                                               minimumSize: (size.width, size.height)))
        } catch {
            throw InspectionError(path, error.reason)
        }
        return try prepare(decoded, source: path, size: size)
    }

    /// Checks a decoded photo against the accepted sizes (`source` names it in the error),
    /// converts it to RGB and resizes it to the input size.
    public static func prepare(_ decoded: DecodedImage, source: String, size: InputSize) throws(InspectionError) -> PreparedImage {
        let (w, h) = (decoded.originalWidth, decoded.originalHeight)
        if let refused = PhotoSizeLimits.check(width: w, height: h, source: source) {
            throw InspectionError(source, refused.reason)
        }
        let rgb = decoded.image.converted(to: .rgb)
        return PreparedImage(original: rgb, resized: rgb.resized(width: size.width, height: size.height, filter: .antialiased),
                             photoSize: InputSize(width: w, height: h))
    }

    /// A batch tensor [N, H, W, 3] of resized images, normalised for the extractor.
    public static func batch(_ images: [Image], normalization: ChannelNormalization) -> Tensor {
        let h = images[0].height, w = images[0].width
        let t = Tensor(shape: [images.count, h, w, 3])
        for (i, image) in images.enumerated() {
            precondition(image.width == w && image.height == h && image.format == .rgb, "ImagePreparation.batch: mixed sizes or formats")
            image.writeNormalized(normalization, into: t.data + i * h * w * 3)
        }
        return t
    }
}
