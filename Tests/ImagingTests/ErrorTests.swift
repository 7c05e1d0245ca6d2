import Foundation
import Testing
@testable import Imaging

@Suite("Errors name the file and the reason")
struct ErrorTests {
    func failure(_ bytes: [UInt8], source: String = "upload", options: DecodeOptions = DecodeOptions()) -> ImagingError? {
        do {
            _ = try ImageDecoder.decode(bytes, source: source, options: options)
            return nil
        } catch {
            return error
        }
    }

    @Test func decompressionBombsAreRefusedFromTheHeader() throws {
        for name in ["bomb-24000.png", "bomb-24000.jpg"] {
            let error = try #require(failure(try Fixture.bytes(name), source: name))
            #expect(error.kind == .tooLarge)
            #expect(error.description == "\(name): 24000x24000 exceeds the 64 MP limit")
        }
    }

    @Test func pixelLimitIsConfigurable() throws {
        let bytes = try Fixture.bytes("jpeg-large.jpg")  // 128x96 = 12288 pixels
        let error = try #require(failure(bytes, options: DecodeOptions(maxPixels: 12_000)))
        #expect(error.kind == .tooLarge)
        #expect(error.reason.hasPrefix("128x96 exceeds"))
        #expect(failure(bytes, options: DecodeOptions(maxPixels: 12_288)) == nil)
    }

    @Test func notAnImageSaysWhatItStartsWith() throws {
        let pdf = Array("%PDF-1.7\n%âãÏÓ\n".utf8)
        let error = try #require(failure(pdf, source: "invoice.jpg"))
        #expect(error.kind == .notAnImage)
        #expect(error.description == "invoice.jpg: not an image: starts with '%PDF'")
        let binary = try #require(failure([0x00, 0x01, 0xFE, 0x7F, 0x10]))
        #expect(binary.reason == "not an image: starts with bytes 00 01 FE 7F")
        #expect(failure([])?.reason == "empty file (0 bytes)")
    }

    @Test func otherImageFormatsAreNamed() throws {
        let gif = Array("GIF89a".utf8) + [UInt8](repeating: 0, count: 20)
        #expect(failure(gif)?.reason == "GIF images are not supported (PNG and JPEG are)")
        let webp = Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WEBPVP8 ".utf8)
        #expect(failure(webp)?.kind == .unsupportedFormat)
    }

    @Test func truncatedFilesSayTheyAreTruncated() throws {
        let jpeg = try Fixture.bytes("jpeg-large.jpg")
        let cut = Array(jpeg.prefix(jpeg.count * 2 / 3))
        let error = try #require(failure(cut, source: "line7.jpg"))
        #expect(error.kind == .truncated)
        #expect(error.description == "line7.jpg: truncated JPEG after \(formatByteCount(cut.count))")
        let png = try Fixture.bytes("png-rgb16.png")
        let pngError = try #require(failure(Array(png.prefix(png.count - 30))))
        #expect(pngError.kind == .truncated)
        #expect(pngError.reason.hasPrefix("truncated PNG after"))
    }

    @Test func corruptDataIsReported() throws {
        var png = try Fixture.bytes("png-rgb8.png")
        png[40] ^= 0xFF  // inside IDAT: CRC mismatch
        let error = try #require(failure(png))
        #expect(error.kind == .corrupt)
        #expect(error.reason.hasPrefix("corrupt PNG: "))
    }

    @Test func unreadableFilesNameTheFile() throws {
        let missing = "/nonexistent/photo.png"
        #expect(throws: ImagingError(source: missing, kind: .unreadable, reason: "cannot read: no such file or directory")) {
            _ = try Image(contentsOfFile: missing)
        }
        let directory = Fixture.directory
        #expect(throws: ImagingError(source: directory, kind: .unreadable, reason: "is a directory, not a file")) {
            _ = try Image(contentsOfFile: directory)
        }
    }

    @Test func byteCountsReadNaturally() {
        #expect(formatByteCount(812) == "812 bytes")
        #expect(formatByteCount(12_345) == "12 kB")
        #expect(formatByteCount(3_456_789) == "3.4 MB")
        #expect(formatMegapixels(64_000_000) == "64 MP")
        #expect(formatMegapixels(300_000) == "0.3 MP")
    }
}
