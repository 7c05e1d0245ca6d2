import CCodecs
#if canImport(Glibc)
import Glibc
#endif

/// Limits and wishes for one decode.
public struct DecodeOptions: Sendable {
    /// Images with more pixels than this (width x height, read from the header before any
    /// pixel buffer exists) are refused: a decompression bomb is never decoded.
    public var maxPixels: Int = 64_000_000
    /// Files larger than this are refused before they are read.
    public var maxFileBytes: Int = 256_000_000
    /// When set, JPEGs may be decoded at 1/2, 1/4 or 1/8 size through libjpeg's DCT
    /// scaling, as long as the result (after orientation) still covers this size.
    public var minimumSize: (width: Int, height: Int)? = nil
    /// Apply the EXIF orientation so the image comes out upright.
    public var applyOrientation: Bool = true

    public init(maxPixels: Int = 64_000_000, minimumSize: (width: Int, height: Int)? = nil,
                applyOrientation: Bool = true) {
        self.maxPixels = maxPixels
        self.minimumSize = minimumSize
        self.applyOrientation = applyOrientation
    }
}

/// A decoded image and what the file said about itself.
public struct DecodedImage: Sendable {
    public var image: Image
    public var format: ImageFormat
    /// Size as stored in the file, before orientation and DCT scaling.
    public var storedWidth: Int
    public var storedHeight: Int
    /// EXIF orientation found (1 when none); applied unless the options said otherwise.
    public var orientation: Int
    /// 1 for a full decode, 2, 4 or 8 when libjpeg's DCT scaling reduced the image.
    public var scaleDenominator: Int
    /// PNG: interlaced; JPEG: progressive.
    public var progressive: Bool
    /// PNG colour type or libjpeg colour space of the source; PNG bit depth (8 for JPEG).
    public var sourceColor: Int
    public var sourceBitDepth: Int

    /// Upright size at full resolution.
    public var originalWidth: Int { orientation >= 5 ? storedHeight : storedWidth }
    public var originalHeight: Int { orientation >= 5 ? storedWidth : storedHeight }
}

/// Decodes PNG and JPEG from bytes in memory or from files; the format comes from the first
/// bytes, never from the file name.
public enum ImageDecoder {
    public static func decode(_ bytes: [UInt8], source: String = "",
                              options: DecodeOptions = DecodeOptions()) throws(ImagingError) -> DecodedImage {
        let result: Result<DecodedImage, ImagingError> = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(ImagingError) -> DecodedImage in
                try decode(buffer, source: source, options: options)
            }
        }
        return try result.get()
    }

    /// The stored-image minimum size the options ask for: the request is for the upright
    /// image, and orientations 5-8 swap the axes. (0, 0) when there is none.
    private static func storedMinimumSize(_ options: DecodeOptions, orientation: Int) -> (UInt32, UInt32) {
        guard let wanted = options.minimumSize, wanted.width > 0, wanted.height > 0 else { return (0, 0) }
        let (w, h) = options.applyOrientation && orientation >= 5 ? (wanted.height, wanted.width) : (wanted.width, wanted.height)
        return (UInt32(clamping: w), UInt32(clamping: h))
    }

    public static func decodeFile(_ path: String, options: DecodeOptions = DecodeOptions()) throws(ImagingError) -> DecodedImage {
        let bytes = try FileBytes.read(path, limit: options.maxFileBytes)
        return try decode(bytes, source: path, options: options)
    }

    public static func decode(_ bytes: UnsafeBufferPointer<UInt8>, source: String,
                              options: DecodeOptions) throws(ImagingError) -> DecodedImage {
        let format: ImageFormat
        switch ImageFormat.sniff(bytes) {
        case .empty:
            throw ImagingError(source: source, kind: .notAnImage, reason: "empty file (0 bytes)")
        case .notAnImage:
            throw ImagingError(source: source, kind: .notAnImage,
                               reason: "not an image: \(ImageFormat.describeStart(bytes))")
        case .unsupportedImage(let name):
            throw ImagingError(source: source, kind: .unsupportedFormat,
                               reason: "\(name) images are not supported (PNG and JPEG are)")
        case .decodable(let f):
            format = f
        }
        let orientation = ExifOrientation.read(from: bytes, format: format) ?? 1
        let (minWidth, minHeight) = storedMinimumSize(options, orientation: orientation)

        var raw = cc_image()
        let maxPixels = UInt64(max(0, options.maxPixels))
        var status: cc_status
        var pixels: [UInt8] = []
        switch format {
        case .png:
            status = cc_png_decode(bytes.baseAddress, bytes.count, maxPixels, &raw)
            if status == CC_OK, let decoded = raw.pixels {
                pixels = Array(UnsafeBufferPointer(start: decoded, count: Int(raw.width) * Int(raw.height) * Int(raw.channels)))
            }
            cc_free(raw.pixels)
        case .jpeg:
            // Measured first, so the decoder writes straight into the image's own array.
            status = cc_jpeg_measure(bytes.baseAddress, bytes.count, maxPixels, minWidth, minHeight, &raw)
            if status == CC_OK {
                let count = Int(raw.width) * Int(raw.height) * Int(raw.channels)
                pixels = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                    adviseHugePages(buffer)
                    status = cc_jpeg_decode_into(bytes.baseAddress, bytes.count, maxPixels, minWidth, minHeight,
                                                 buffer.baseAddress, count, &raw)
                    initialized = status == CC_OK ? count : 0
                }
            }
        }
        guard status == CC_OK, let pixelFormat = PixelFormat(channels: Int(raw.channels)) else {
            throw error(status: status, raw: raw, format: format, size: bytes.count,
                        source: source, maxPixels: options.maxPixels)
        }
        var image = Image(width: Int(raw.width), height: Int(raw.height), format: pixelFormat, pixels: pixels)
        if options.applyOrientation && orientation != 1 {
            image = image.applyingOrientation(orientation)
        }
        return DecodedImage(image: image, format: format,
                            storedWidth: Int(raw.header_width), storedHeight: Int(raw.header_height),
                            orientation: orientation, scaleDenominator: Int(raw.scale_denom),
                            progressive: raw.progressive != 0,
                            sourceColor: Int(raw.source_color), sourceBitDepth: Int(raw.source_bit_depth))
    }

    private static func error(status: cc_status, raw: cc_image, format: ImageFormat, size: Int,
                              source: String, maxPixels: Int) -> ImagingError {
        let message = withUnsafeBytes(of: raw.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        switch status {
        case CC_ERR_TRUNCATED:
            return ImagingError(source: source, kind: .truncated,
                                reason: "truncated \(format.rawValue) after \(formatByteCount(size))")
        case CC_ERR_TOO_LARGE:
            return ImagingError(source: source, kind: .tooLarge,
                                reason: "\(raw.header_width)x\(raw.header_height) exceeds the \(formatMegapixels(maxPixels)) limit")
        case CC_ERR_UNSUPPORTED:
            return ImagingError(source: source, kind: .unsupportedFormat, reason: "unsupported \(format.rawValue): \(message)")
        case CC_ERR_NO_MEMORY:
            return ImagingError(source: source, kind: .tooLarge, reason: "out of memory decoding \(format.rawValue): \(message)")
        default:
            return ImagingError(source: source, kind: .corrupt,
                                reason: "corrupt \(format.rawValue): \(message.isEmpty ? "decoder failed" : message)")
        }
    }
}

extension Image {
    /// Decodes a PNG or JPEG file, upright, within the default limits.
    public init(contentsOfFile path: String, options: DecodeOptions = DecodeOptions()) throws(ImagingError) {
        self = try ImageDecoder.decodeFile(path, options: options).image
    }

    /// Decodes PNG or JPEG bytes, upright, within the default limits.
    public init(decoding bytes: [UInt8], source: String = "", options: DecodeOptions = DecodeOptions()) throws(ImagingError) {
        self = try ImageDecoder.decode(bytes, source: source, options: options).image
    }
}

/// Asks Linux to back the 2 MB-aligned middle of a large, not yet touched buffer with
/// transparent huge pages (where the system leaves that to madvise): a 12-MP RGB image is
/// then about 18 faults instead of 9,000, each zeroing 2 MB at once.
func adviseHugePages(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
    #if os(Linux)
    let huge = 2 << 20
    guard buffer.count >= 2 * huge, let base = buffer.baseAddress else { return }
    let start = (Int(bitPattern: base) + huge - 1) & ~(huge - 1)
    let end = (Int(bitPattern: base) + buffer.count) & ~(huge - 1)
    if end > start, let pointer = UnsafeMutableRawPointer(bitPattern: start) {
        _ = madvise(pointer, end - start, MADV_HUGEPAGE)
    }
    #endif
}
