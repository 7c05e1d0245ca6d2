import CCodecs

/// PNG and JPEG encoding, for heat maps, overlays, crops and fixtures.
public enum ImageEncoder {
    /// PNG keeps every format (grey, grey+alpha, RGB, RGBA). `compressionLevel` is zlib's 0-9.
    public static func png(_ image: Image, compressionLevel: Int = 6) throws(ImagingError) -> [UInt8] {
        try encode(image, name: "PNG") { pixels, out in
            cc_png_encode(pixels, UInt32(image.width), UInt32(image.height), UInt32(image.channels),
                          Int32(compressionLevel), &out)
        }
    }

    /// JPEG stores grey or RGB; alpha is composited over white first.
    public static func jpeg(_ image: Image, quality: Int = 90) throws(ImagingError) -> [UInt8] {
        let opaque: Image
        switch image.format {
        case .gray, .rgb: opaque = image
        case .grayAlpha: opaque = image.converted(to: .gray)
        case .rgba: opaque = image.converted(to: .rgb)
        }
        return try encode(opaque, name: "JPEG") { pixels, out in
            cc_jpeg_encode(pixels, UInt32(opaque.width), UInt32(opaque.height), UInt32(opaque.channels),
                           Int32(quality), &out)
        }
    }

    private static func encode(_ image: Image, name: String,
                               _ body: (UnsafePointer<UInt8>?, inout cc_buffer) -> cc_status) throws(ImagingError) -> [UInt8] {
        var out = cc_buffer()
        let status = image.pixels.withUnsafeBufferPointer { body($0.baseAddress, &out) }
        defer { cc_free(out.bytes) }
        guard status == CC_OK, let bytes = out.bytes else {
            let message = withUnsafeBytes(of: out.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            throw ImagingError(source: "", kind: .encodeFailed,
                               reason: "cannot encode \(image.width)x\(image.height) as \(name): \(message)")
        }
        return Array(UnsafeBufferPointer(start: bytes, count: out.size))
    }
}

extension Image {
    /// Writes the image as PNG or JPEG, chosen by the path's extension (.jpg/.jpeg: JPEG).
    public func write(to path: String, jpegQuality: Int = 90) throws(ImagingError) {
        let lower = path.lowercased()
        let bytes: [UInt8]
        do {
            bytes = lower.hasSuffix(".jpg") || lower.hasSuffix(".jpeg")
                ? try ImageEncoder.jpeg(self, quality: jpegQuality) : try ImageEncoder.png(self)
        } catch {
            throw ImagingError(source: path, kind: error.kind, reason: error.reason)
        }
        try FileBytes.write(bytes, to: path)
    }
}
