import Foundation
import Imaging
import Testing
@testable import Faces

/// Chips cut from one shared pyramid (FaceChipExtractor.extract with several chips) against
/// each chip cut alone, as dlib cuts it.
struct ChipPyramidTests {
    /// A deterministic pseudo-random RGB image.
    static func noise(width: Int, height: Int, seed: UInt64) -> Image {
        var state = seed
        let pixels = (0..<(width * height * 3)).map { _ -> UInt8 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        return Image(width: width, height: height, format: .rgb, pixels: pixels)
    }

    /// pyramidDown is the [1 4 6 4 1] x [1 4 6 4 1] / 256 filter at every other pixel, as a
    /// direct per-pixel sum computes it: on sizes with no full 16-lane block across, with
    /// blocks and a scalar tail, and on a flat white image (the largest sums).
    @Test(arguments: [(23, 18, 7), (61, 20, 3), (120, 13, 5), (51, 11, -1)])
    func pyramidDownIsTheTruncatedFilterSum(width: Int, height: Int, seed: Int) throws {
        let image = seed < 0 ? Image(width: width, height: height, format: .rgb, fill: [255, 255, 255])
            : Self.noise(width: width, height: height, seed: UInt64(seed))
        let down = try #require(FaceChipExtractor.pyramidDown(image))
        #expect(down.width == (width - 3) / 2 && down.height == (height - 3) / 2)
        let taps: [UInt32] = [1, 4, 6, 4, 1]
        var mismatches = 0
        for y in 0..<down.height {
            for x in 0..<down.width {
                for ch in 0..<3 {
                    var sum: UInt32 = 0
                    for i in 0..<5 {
                        for j in 0..<5 { sum += taps[i] * taps[j] * UInt32(image.pixels[((2 * y + i) * image.width + 2 * x + j) * 3 + ch]) }
                    }
                    if UInt32(down.pixels[(y * down.width + x) * 3 + ch]) != sum / 256 { mismatches += 1 }
                }
            }
        }
        #expect(mismatches == 0)
        #expect(FaceChipExtractor.pyramidDown(Self.noise(width: 8, height: 40, seed: 1)) == nil)
    }

    /// The pyramid's first level is filtered from a region of the image in place: the same
    /// pixels as filtering the cropped region, and nil for a region outside the image.
    @Test func pyramidDownOfARegionIsThatOfItsCrop() throws {
        let image = Self.noise(width: 77, height: 40, seed: 9)
        for (x, y, w, h) in [(0, 0, 77, 40), (5, 3, 50, 30), (20, 11, 57, 29), (1, 1, 9, 9)] {
            let inPlace = try #require(FaceChipExtractor.pyramidDown(image, x: x, y: y, width: w, height: h))
            let cropped = try #require(FaceChipExtractor.pyramidDown(image.cropped(x: x, y: y, width: w, height: h)))
            #expect(inPlace.width == cropped.width && inPlace.height == cropped.height && inPlace.pixels == cropped.pixels,
                    "region \(x), \(y), \(w) x \(h)")
        }
        #expect(FaceChipExtractor.pyramidDown(image, x: 30, y: 0, width: 48, height: 40) == nil)
    }

    /// A face's landmarks in a 1200 x 1000 image, big enough for chips 3 to 4 levels down.
    static let landmarks = [FacePoint(x: 771, y: 402), FacePoint(x: 700, y: 405), FacePoint(x: 520, y: 400),
                            FacePoint(x: 590, y: 404), FacePoint(x: 645, y: 540)]

    /// The age and gender chips of one set of landmarks from one pyramid are exactly the
    /// chips cut alone: the gender chip's crop extends the age chip's by a multiple of the
    /// pyramid's step on every level.
    @Test func ageAndGenderChipsFromOnePyramidAreExact() {
        let image = Self.noise(width: 1200, height: 1000, seed: 3)
        let geometries = [FaceChipGeometry(landmarks: Self.landmarks, size: 64, padding: 0.2),
                          FaceChipGeometry(landmarks: Self.landmarks, size: 32, padding: 0.2)]
        let shared = FaceChipExtractor.extract(from: image, geometries)
        #expect(shared.count == 2)
        for (chip, geometry) in zip(shared, geometries) {
            #expect(chip == FaceChipExtractor.extract(from: image, geometry), "\(geometry.size)px chip")
        }
    }

    /// Chips of shifted landmarks from one pyramid over all their crops: the first landmarks'
    /// chips are exactly those cut alone (the pyramid is put on their grid); the others, whose
    /// crops start on other pixels, stay within a grey level or so (a grid shifted by a
    /// fraction of a level pixel), on a smooth image as photos are.
    @Test func chipsOfShiftedLandmarksFromOnePyramidAreClose() {
        var image = Image(width: 1200, height: 1000, format: .rgb, fill: [0, 0, 0])
        for y in 0..<image.height {
            for x in 0..<image.width {
                let v = 128 + 60 * sin(Double(x) / 37) * cos(Double(y) / 23)
                let o = (y * image.width + x) * 3
                image.pixels[o] = UInt8(v); image.pixels[o + 1] = UInt8(255 - v); image.pixels[o + 2] = UInt8(Double(x + y) / 9)
            }
        }
        let shifts = [(0.0, 0.0), (7, 0), (-5, 3), (0, -9), (13, 11)]
        let geometries = shifts.flatMap { dx, dy in
            let points = Self.landmarks.map { FacePoint(x: $0.x + dx, y: $0.y + dy) }
            return [64, 32].map { FaceChipGeometry(landmarks: points, size: $0, padding: 0.2) }
        }
        let shared = FaceChipExtractor.extract(from: image, geometries)
        #expect(shared[0] == FaceChipExtractor.extract(from: image, geometries[0]))
        #expect(shared[1] == FaceChipExtractor.extract(from: image, geometries[1]))
        for (chip, geometry) in zip(shared, geometries) {
            let alone = FaceChipExtractor.extract(from: image, geometry)
            let mean = zip(chip.pixels, alone.pixels).map { abs(Double($0) - Double($1)) }.reduce(0, +) / Double(chip.pixels.count)
            #expect(mean < 1.5, "\(geometry.size)px chip at \(geometry.rect): mean difference \(mean)")
        }
    }

    /// A chip whose crop lies outside the image is black, next to a normal one.
    @Test func aChipOutsideTheImageIsBlack() {
        let image = Self.noise(width: 200, height: 200, seed: 5)
        let outside = Self.landmarks.map { FacePoint(x: $0.x + 5000, y: $0.y) }
        let inside = Self.landmarks.map { FacePoint(x: $0.x / 8, y: $0.y / 8) }
        let chips = FaceChipExtractor.extract(from: image, [FaceChipGeometry(landmarks: outside, size: 32, padding: 0.2),
                                                            FaceChipGeometry(landmarks: inside, size: 32, padding: 0.2)])
        #expect(chips[0].pixels.allSatisfy { $0 == 0 })
        #expect(chips[1].pixels.contains { $0 != 0 })
    }
}
