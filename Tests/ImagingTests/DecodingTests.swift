import Testing
@testable import Imaging
import TestSupport

@Suite("Decoding fixtures against reference pixels")
struct DecodingTests {
    @Test func manifestIsComplete() {
        // 35 PNG (every colour type and depth, interlaced, tRNS, palette, eXIf), 16 JPEG.
        #expect(Fixture.decodable.count >= 45)
        #expect(Fixture.decodable.contains { $0.file == "png-gray2.png" })
        #expect(Set(Fixture.decodable.compactMap(\.orientation)) == Set(1...8))
    }

    @Test(arguments: Fixture.decodable)
    func decodesToReferencePixels(_ fixture: Fixture) throws {
        var options = DecodeOptions()
        if let w = fixture.minimumWidth, let h = fixture.minimumHeight { options.minimumSize = (w, h) }
        let decoded = try ImageDecoder.decodeFile(Fixture.path(fixture.file), options: options)
        let image = decoded.image
        #expect(image.width == fixture.width)
        #expect(image.height == fixture.height)
        #expect(image.channels == fixture.channels)
        #expect(decoded.format.rawValue == fixture.format)
        let expected = try fixture.expected()
        try #require(image.pixels.count == expected.count)
        expectClose(image.pixels, expected, absolute: fixture.tolerance, fixture.file)
        if let orientation = fixture.orientation {
            #expect(decoded.orientation == orientation)
            #expect(decoded.storedWidth == fixture.storedWidth)
            #expect(decoded.storedHeight == fixture.storedHeight)
        }
        if let denominator = fixture.scaleDenominator { #expect(decoded.scaleDenominator == denominator) }
        if let progressive = fixture.progressive { #expect(decoded.progressive == progressive) }
        if let interlaced = fixture.interlaced { #expect(decoded.progressive == interlaced) }
    }

    @Test func orientationCanBeLeftAsStored() throws {
        let name = "jpeg-exif-orientation-6.jpg"
        let stored = try ImageDecoder.decodeFile(Fixture.path(name), options: DecodeOptions(applyOrientation: false))
        #expect(stored.orientation == 6)
        #expect(stored.image.width == 16 && stored.image.height == 24)
        let upright = try Image(contentsOfFile: Fixture.path(name))
        #expect(stored.image.rotatedClockwise() == upright)
    }

    @Test func jpegDecodesAtFullSizeWithoutARequest() throws {
        let decoded = try ImageDecoder.decodeFile(Fixture.path("jpeg-large.jpg"))
        #expect(decoded.scaleDenominator == 1)
        #expect(decoded.image.width == 128 && decoded.image.height == 96)
        // Half size still covers 60x40; a quarter would not.
        let half = try ImageDecoder.decodeFile(Fixture.path("jpeg-large.jpg"),
                                               options: DecodeOptions(minimumSize: (60, 40)))
        #expect(half.scaleDenominator == 2)
        #expect(half.image.width == 64 && half.image.height == 48)
    }

    @Test func smoothJPEGsAreCloseToTheirSource() throws {
        // The smooth gradient the JPEG fixtures were made from: R = 6x, G = 10y, B = 255 - 3x.
        for name in ["jpeg-baseline.jpg", "jpeg-progressive.jpg"] {
            let image = try Image(contentsOfFile: Fixture.path(name))
            var total = 0
            for y in 0..<image.height {
                for x in 0..<image.width {
                    let p = image.pixel(x: x, y: y)
                    total += abs(Int(p[0]) - min(255, 6 * x)) + abs(Int(p[1]) - min(255, 10 * y))
                        + abs(Int(p[2]) - (255 - 3 * x))
                }
            }
            let mean = Double(total) / Double(image.pixels.count)
            #expect(mean < 3, "\(name): mean error \(mean) against the source gradient")
        }
    }

    @Test func bytesAndFilesDecodeAlike() throws {
        let name = "png-rgba16-interlaced.png"
        let fromBytes = try Image(decoding: Fixture.bytes(name))
        #expect(fromBytes == (try Image(contentsOfFile: Fixture.path(name))))
    }
}
