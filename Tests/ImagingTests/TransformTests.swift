import Testing
@testable import Imaging
import TestSupport

@Suite("Resize, geometry, colour, encoding and float conversion")
struct TransformTests {
    static func source() throws -> Image { try Image(contentsOfFile: Fixture.path("resize-source.png")) }

    @Test(arguments: Fixture.resizes)
    func matchesPillow(_ fixture: Fixture) throws {
        let source = try Self.source()
        let result: Image
        switch fixture.filter {
        case "antialiased": result = source.resized(width: fixture.width, height: fixture.height, filter: .antialiased)
        case "area": result = source.resized(width: fixture.width, height: fixture.height, filter: .area)
        default: result = source.converted(to: .gray)
        }
        #expect(result.width == fixture.width && result.height == fixture.height)
        #expect(result.channels == fixture.channels)
        expectClose(result.pixels, try fixture.expected(), absolute: fixture.tolerance, fixture.file)
    }

    @Test func bilinearInterpolatesBetweenPixelCentres() {
        // 2x1 grey [0, 200] enlarged to 4x1: centres at 0.25 and 0.75 of the way between.
        let image = Image(width: 2, height: 1, format: .gray, pixels: [0, 200])
        #expect(image.resized(width: 4, height: 1, filter: .bilinear).pixels == [0, 50, 150, 200])
        // Shrinking 4 -> 2 samples between pixel pairs.
        let wide = Image(width: 4, height: 1, format: .gray, pixels: [0, 100, 200, 40])
        #expect(wide.resized(width: 2, height: 1, filter: .bilinear).pixels == [50, 120])
    }

    @Test func resizingAFlatImageKeepsItFlat() {
        let flat = Image(width: 37, height: 23, format: .rgb, fill: [12, 200, 99])
        for filter in [ResizeFilter.bilinear, .antialiased, .area] {
            for (w, h) in [(5, 3), (224, 224), (37, 1), (1, 50)] {
                let out = flat.resized(width: w, height: h, filter: filter)
                #expect(out.pixels == Image(width: w, height: h, format: .rgb, fill: [12, 200, 99]).pixels)
            }
        }
    }

    @Test func areaAveragesWholeBlocks() {
        // 4x2 -> 2x1: each output is the mean of a 2x2 block.
        let image = Image(width: 4, height: 2, format: .gray, pixels: [0, 10, 100, 200, 20, 30, 0, 100])
        #expect(image.resized(width: 2, height: 1, filter: .area).pixels == [15, 100])
        // 3 -> 2: output 0 covers [0, 1.5): (0 + 0.5 * 90) / 1.5 = 30; output 1: (45 + 180) / 1.5.
        let three = Image(width: 3, height: 1, format: .gray, pixels: [0, 90, 180])
        #expect(three.resized(width: 2, height: 1, filter: .area).pixels == [30, 150])
    }

    @Test func quarterTurnsCompose() throws {
        let image = try Image(contentsOfFile: Fixture.path("png-rgba8.png"))
        #expect(image.rotatedClockwise().rotatedClockwise() == image.rotated180())
        #expect(image.rotatedClockwise().rotatedCounterclockwise() == image)
        #expect(image.transposed().flippedHorizontally() == image.rotatedClockwise())
        #expect(image.transversed() == image.transposed().rotated180())
        #expect(image.flippedHorizontally().flippedVertically() == image.rotated180())
        // Explicit pixel check: source (x, y) lands at (H-1-y, x) after a clockwise turn.
        let turned = image.rotatedClockwise()
        #expect(turned.pixel(x: image.height - 1 - 2, y: 5) == image.pixel(x: 5, y: 2))
    }

    /// Every EXIF orientation against the pixel mapping written out, on images several
    /// 64-pixel tiles wide and tall with partial tiles at the edges, in 1, 3 and 4 channels.
    @Test(arguments: [(150, 70, PixelFormat.rgb), (64, 129, .gray), (70, 65, .rgba), (1, 5, .rgb)])
    func orientationsMapEveryPixel(width: Int, height: Int, format: PixelFormat) {
        let c = format.channels
        let image = Image(width: width, height: height, format: format,
                          pixels: (0..<(width * height * c)).map { UInt8(truncatingIfNeeded: ($0 &* 2654435761) >> 13) })
        // Where upright pixel (x, y) of an oriented image comes from in the stored one (W x H).
        let (w, h) = (width, height)
        let sources: [Int: (Int, Int) -> (Int, Int)] = [
            2: { x, y in (w - 1 - x, y) }, 3: { x, y in (w - 1 - x, h - 1 - y) }, 4: { x, y in (x, h - 1 - y) },
            5: { x, y in (y, x) }, 6: { x, y in (y, h - 1 - x) }, 7: { x, y in (w - 1 - y, h - 1 - x) }, 8: { x, y in (w - 1 - y, x) },
        ]
        for (orientation, source) in sources {
            let upright = image.applyingOrientation(orientation)
            let swapped = orientation >= 5
            #expect(upright.width == (swapped ? h : w) && upright.height == (swapped ? w : h))
            var wrong = 0
            for y in 0..<upright.height {
                for x in 0..<upright.width {
                    let (sx, sy) = source(x, y)
                    if upright.pixel(x: x, y: y) != image.pixel(x: sx, y: sy) { wrong += 1 }
                }
            }
            #expect(wrong == 0, "orientation \(orientation): \(wrong) pixels misplaced")
        }
    }

    @Test func cropIntersectsAndPadFills() throws {
        let image = try Image(contentsOfFile: Fixture.path("png-rgb8.png"))  // 13x7
        let crop = image.cropped(x: 10, y: 5, width: 10, height: 10)
        #expect(crop.width == 3 && crop.height == 2)
        #expect(crop.pixel(x: 0, y: 0) == image.pixel(x: 10, y: 5))
        #expect(image.cropped(x: 20, y: 0, width: 5, height: 5).width == 0)
        let padded = image.padded(top: 1, left: 2, bottom: 3, right: 4, fill: [9, 8, 7])
        #expect(padded.width == 19 && padded.height == 11)
        #expect(padded.pixel(x: 0, y: 0) == [9, 8, 7])
        #expect(padded.pixel(x: 2, y: 1) == image.pixel(x: 0, y: 0))
        #expect(padded.cropped(x: 2, y: 1, width: 13, height: 7) == image)
    }

    @Test func colourConversions() {
        let rgba = Image(width: 2, height: 1, format: .rgba, pixels: [200, 100, 0, 255, 200, 100, 0, 0])
        // Opaque pixel unchanged; transparent one becomes the background.
        #expect(rgba.converted(to: .rgb).pixels == [200, 100, 0, 255, 255, 255])
        #expect(rgba.converted(to: .rgb, background: 0).pixels == [200, 100, 0, 0, 0, 0])
        let gray = Image(width: 1, height: 1, format: .gray, pixels: [77])
        #expect(gray.converted(to: .rgba).pixels == [77, 77, 77, 255])
        // L = 0.299 R + 0.587 G + 0.114 B = 29.9 + 117.4 + 5.7 = 153
        let colour = Image(width: 1, height: 1, format: .rgb, pixels: [100, 200, 50])
        #expect(colour.converted(to: .gray).pixels == [153])
        #expect(rgba.converted(to: .gray, background: 0).pixels[1] == 0)
    }

    @Test func encodingRoundTrips() throws {
        let rgba = try Image(contentsOfFile: Fixture.path("png-rgba8.png"))
        for format in PixelFormat.allCases {
            let image = rgba.converted(to: format)
            let png = try ImageEncoder.png(image)
            #expect(try Image(decoding: png) == image)
        }
        let photo = try Image(contentsOfFile: Fixture.path("jpeg-large.jpg"))
        let jpeg = try ImageEncoder.jpeg(photo, quality: 95)
        let again = try Image(decoding: jpeg)
        #expect(again.width == photo.width && again.height == photo.height)
        let meanError = Double(zip(again.pixels, photo.pixels).map { abs(Int($0) - Int($1)) }.reduce(0, +))
            / Double(photo.pixels.count)
        #expect(meanError < 2)
        #expect(throws: ImagingError.self) { _ = try ImageEncoder.png(Image(width: 0, height: 0, format: .rgb, pixels: [])) }
    }

    @Test func normalisedFloatsAreHWC() {
        let image = Image(width: 2, height: 1, format: .rgb, pixels: [0, 128, 255, 51, 102, 153])
        let n = ChannelNormalization(mean: [0.5, 0.5, 0.5], std: [0.25, 0.5, 1])
        let values = image.normalizedFloats(n)
        let expected: [Float] = [(0 - 0.5) / 0.25, (128.0 / 255 - 0.5) / 0.5, 0.5,
                                 (0.2 - 0.5) / 0.25, (0.4 - 0.5) / 0.5, 0.6 - 0.5]
        #expect(values.count == 6)
        for (a, b) in zip(values, expected) { #expect(abs(a - b) < 1e-6) }
    }
}
