import Foundation
import HTTPTypes
import Hummingbird
import Imaging
import NIOCore

/// Reading request bodies within the limits: size (413), content type (415), image decoding (400).
struct BodyReader: Sendable {
    let limits: ServerLimits

    /// The media type of the request without parameters, lower-cased ("image/png").
    static func mediaType(_ request: Request) -> String? {
        request.headers[.contentType].map { $0.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).lowercased() }
    }

    /// Checks the content type against `accepted`, 415 otherwise.
    static func requireMediaType(_ request: Request, _ accepted: [String]) throws -> String {
        guard let type = mediaType(request), accepted.contains(type) else {
            throw APIError.unsupportedMediaType(request.headers[.contentType], expected: accepted)
        }
        return type
    }

    /// The whole body, or 413 when it is (or announces itself) larger than the limit. While it
    /// arrives the request's `UploadProgress` says so (a timeout then answers 408).
    func collect(_ request: Request) async throws -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limits.maxBodyBytes {
            throw APIError.tooLarge(limit: limits.maxBodyBytes)
        }
        do {
            let collect = { [limits] in try await request.body.collect(upTo: limits.maxBodyBytes) }
            var buffer: ByteBuffer
            if let upload = UploadProgress.current { buffer = try await upload.whileReading(collect) } else { buffer = try await collect() }
            return buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch is NIOTooManyBytesError {
            throw APIError.tooLarge(limit: limits.maxBodyBytes)
        }
    }

    static let imageTypes = ["image/jpeg", "image/png"]

    /// An image body (image/jpeg or image/png), not yet decoded (decoding runs in the inference queue).
    func imageBytes(_ request: Request) async throws -> (bytes: [UInt8], mediaType: String) {
        let type = try Self.requireMediaType(request, Self.imageTypes)
        return (try await collect(request), type)
    }

    /// Decodes image bytes (EXIF orientation applied); 400 naming the decoder's reason. With
    /// `minimumSize`, large JPEGs are DCT-scaled down to no less than that.
    func decodeImage(_ bytes: [UInt8], source: String, minimumSize: (width: Int, height: Int)? = nil) throws -> DecodedImage {
        try withImage(bytes, source: source) { limits throws(ImagingError) in
            var options = limits
            options.minimumSize = minimumSize
            return try ImageDecoder.decode(bytes, source: source, options: options)
        }
    }

    /// Runs `decode` (which decodes `bytes` under the given limits) with the server's pixel
    /// limit; an empty body or an image error becomes a 400 that says why.
    func withImage<T>(_ bytes: [UInt8], source: String, _ decode: (DecodeOptions) throws(ImagingError) -> T) throws -> T {
        try requireBytes(bytes, source: source)
        do {
            return try decode(decodeOptions)
        } catch {
            throw Self.invalidImage(error)
        }
    }

    /// The decoder's limits for request images (the server's pixel limit).
    var decodeOptions: DecodeOptions { DecodeOptions(maxPixels: limits.maxImagePixels) }

    /// A 400 for an empty image body.
    func requireBytes(_ bytes: [UInt8], source: String) throws {
        guard !bytes.isEmpty else { throw APIError.invalidImage("\(source): empty; send the image bytes as the body") }
    }

    /// The 400 for an image the decoder refused, saying why.
    static func invalidImage(_ error: ImagingError) -> APIError {
        var invalid = APIError.invalidImage(error.description)
        invalid.imagingKind = error.kind
        return invalid
    }
}
