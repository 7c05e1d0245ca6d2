import Foundation
import Imaging
import Networks
import SeededRandom
import Tensors
import Testing
@testable import Inspection

/// The segmentation's pixel refinement: the photo's contrasts, the rows it reads, how its
/// anomaly replaces the head's, and that it learns to narrow a head's wide band to a thin
/// dark line.
@Suite struct PixelRefinementTests {
    /// A `width` x `height` grey photo: a seeded texture around 150 (+-20) with a dark line
    /// (grey 60) on rows `lineRows`.
    static func photo(width: Int, height: Int, lineRows: ClosedRange<Int>, seed: UInt64) -> Image {
        var rng = SeededGenerator(seed: seed)
        var pixels = (0..<(width * height)).map { _ in UInt8(130 + Int.random(in: 0...40, using: &rng)) }
        for y in lineRows { for x in 0..<width { pixels[y * width + x] = 60 } }
        return Image(width: width, height: height, format: .gray, pixels: pixels)
    }

    @Test func contrastMarksAThinDarkLineAndNothingOnAFlatPhoto() {
        let (width, height) = (40, 60)
        let flat = Image(width: width, height: height, format: .rgb, pixels: [UInt8](repeating: 200, count: width * height * 3))
        let s = PhotoContrast.channels
        let none = PhotoContrast(flat)
        #expect(none.width == width && none.height == height && none.values.count == width * height * s)
        // A flat photo: the grey level equals its blur everywhere (tolerance: float rounding).
        #expect(none.values.allSatisfy { abs($0) < 1e-5 }, "largest \(none.values.map(abs).max() ?? -1)")
        var pixels = [UInt8](repeating: 200, count: width * height)
        for y in 40...41 { for x in 0..<width { pixels[y * width + x] = 80 } }
        let line = PhotoContrast(Image(width: width, height: height, format: .gray, pixels: pixels))
        // On the line: darker than every neighbourhood (80 against about 200, in 0...1 units),
        // more so against the wider ones, which hold more of the bright background.
        let onLine = (0..<PhotoContrast.sigmas.count).map { line.values[(40 * width + 20) * s + $0] }
        #expect(onLine.allSatisfy { $0 < -0.1 }, "on the line \(onLine)")
        #expect(onLine[0] > onLine[1] && onLine[1] > onLine[2], "on the line \(onLine)")
        // The line channels: across the dark line the grey level curves up (first eigenvalue
        // well above 0), along it not at all (second eigenvalue 0: the line is straight).
        for l in 0..<PhotoContrast.lineSigmas.count {
            let (first, second) = (line.values[(40 * width + 20) * s + 3 + 2 * l], line.values[(40 * width + 20) * s + 4 + 2 * l])
            #expect(first > 0.05 && abs(second) < 1e-5, "sigma \(PhotoContrast.lineSigmas[l]): eigenvalues \(first), \(second)")
        }
        // Far from it (rows 0-2 are farther from it than the widest blur's radius, 16): nothing.
        #expect((0..<(3 * width * s)).allSatisfy { abs(line.values[$0]) < 1e-5 })
        // Just beside it the background is brighter than its blurred neighbourhood.
        #expect(line.values[(38 * width + 20) * s] > 0.01)
    }

    @Test func rowsHoldTheHeadsLogitTheMemoryAndTheContrasts() {
        // 2x1 pixels, 3 classes: the head's anomaly 1 - p_background is 0.5 and 0.9.
        let probabilities = Tensor(shape: [1, 1, 2, 3], data: [0.5, 0.3, 0.2, 0.1, 0.0, 0.9])
        let contrast = PhotoContrast(width: 2, height: 1, values: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, -0.1, -0.2, -0.3, -0.4, -0.5, -0.6, -0.7])
        let rows = PixelRefinement.features(probabilities, contrast: contrast, memoryMap: AnomalyMap(width: 2, height: 1, values: [1, 10]),
                                            memoryCutOff: 2)
        #expect(rows.shape == [2, PixelRefinement.featureCount])
        let expected: [Float] = [0, 0.5, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, logf(0.9 / 0.1), 2, -0.1, -0.2, -0.3, -0.4, -0.5, -0.6, -0.7]
        #expect(zip(rows.scalars, expected).allSatisfy { abs($0 - $1) < 1e-5 }, "rows \(rows.scalars)")
    }

    @Test func theRefinedAnomalyKeepsTheHeadsType() {
        let probabilities = Tensor(shape: [1, 1, 2, 3], data: [0.5, 0.1, 0.4, 1, 0, 0])
        let out = PixelRefinement.rescaled(probabilities, anomaly: [0.8, 0.3])
        // The first pixel's types keep their 1:4 proportion; the second's, given nothing by
        // the head, share the anomaly equally.
        let expected: [Float] = [0.2, 0.16, 0.64, 0.7, 0.15, 0.15]
        #expect(zip(out.scalars, expected).allSatisfy { abs($0 - $1) < 1e-6 }, "probabilities \(out.scalars)")
    }

    @Test func theRefinementNarrowsAWideBandToTheLineOfOnePhoto() {
        // The head marks a band 12 px tall (anomaly 0.5) around a dark line 2 px tall on a
        // textured photo, 0.02 elsewhere: no threshold on it marks the line alone (IoU 2/12 at
        // best). Trained on this photo, the refinement must mark the line.
        let (width, height) = (64, 48)
        let photo = Self.photo(width: width, height: height, lineRows: 22...23, seed: 5)
        var probabilities = [Float](), truth = [UInt8]()
        for y in 0..<height {
            for _ in 0..<width {
                let a: Float = (17...28).contains(y) ? 0.5 : 0.02
                probabilities += [1 - a, a]
                truth.append((22...23).contains(y) ? 1 : 0)
            }
        }
        let heldOut = SegmentationFitting.HeldOut(probabilities: Tensor(shape: [1, height, width, 2], data: probabilities),
                                                  memoryMap: AnomalyMap(width: width, height: height, values: [Float](repeating: 0, count: width * height)),
                                                  truth: LabelMask(width: width, height: height, classes: truth), contrast: PhotoContrast(photo))
        var options = SegmentationOptions()
        options.batchSize = 64
        let stage = PixelRefinement.train([heldOut], photos: [0], memoryCutOff: 1, options: options, seed: 2, epochs: 150)
        let refined = stage.refined(heldOut.probabilities, contrast: PhotoContrast(photo), memoryMap: heldOut.memoryMap, memoryCutOff: 1)
        var both = 0, union = 0
        for i in 0..<(width * height) {
            let marked = 1 - refined.data[i * 2] >= 0.5, isTrue = truth[i] == 1
            if marked && isTrue { both += 1 }
            if marked || isTrue { union += 1 }
        }
        let iou = Double(both) / Double(max(union, 1))
        #expect(iou > 0.9, "refined IoU \(iou) (\(both) of \(union) pixels)")
    }
}
