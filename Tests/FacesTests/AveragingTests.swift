import Foundation
import Imaging
import Networks
import Tensors
import Testing
import TestSupport
@testable import Faces

/// Test-time averaging: over several chips per face (box jitter) and over mirrored chips.
struct AveragingTests {
    let estimator: AgeGenderEstimator
    let chips: Tensor
    let genderChips: Tensor

    init() throws {
        var estimator = try AgeGenderEstimator(modelsDirectory: FacesFixtures.models)
        estimator.averageMirrored = false
        self.estimator = estimator
        let fixture = try SafetensorsFile(contentsOf: FacesFixtures.url("network-parity.safetensors").path)
        chips = try fixture.tensor("age_chips")
        genderChips = try fixture.tensor("gender_chips")
    }

    /// Chip `i` of a [N, S, S, 3] byte-valued tensor as an RGB image.
    func image(_ t: Tensor, _ i: Int) -> Image {
        let size = t.shape[1]
        let values = t.scalars[i * size * size * 3..<(i + 1) * size * size * 3]
        return Image(width: size, height: size, format: .rgb, pixels: values.map { UInt8(max(0, min(255, $0.rounded()))) })
    }

    /// A face with two chips gets the mean of the two chips' probabilities, and its age is the
    /// expectation over those mean probabilities.
    @Test func aFacesChipsAreAveraged() throws {
        let (a, b) = (image(chips, 0), image(chips, 1))
        let (ga, gb) = (image(genderChips, 0), image(genderChips, 1))
        let single = estimator.estimate(ageChips: [a, b], genderChips: [ga, gb])
        let grouped = estimator.estimate(ageChipGroups: [[a, b]], genderChipGroups: [[ga, gb]])
        #expect(grouped.count == 1)
        let meanAge = (single[0].age + single[1].age) / 2
        expectClose(Double(grouped[0].age), Double(meanAge), absolute: 1e-3, "age of two averaged chips")
        expectClose(Double(grouped[0].maleProbability), Double(single[0].maleProbability + single[1].maleProbability) / 2,
                    absolute: 1e-6, "male probability of two averaged chips")
        #expect(single[0].age != single[1].age)
    }

    /// Mirror averaging equals grouping each chip with its mirror image.
    @Test func mirrorAveragingIsGroupingWithTheMirroredChip() throws {
        var mirrored = estimator
        mirrored.averageMirrored = true
        let (a, g) = (image(chips, 2), image(genderChips, 2))
        let viaFlag = mirrored.estimate(ageChips: [a], genderChips: [g])[0]
        let viaGroup = estimator.estimate(ageChipGroups: [[a, a.flippedHorizontally()]], genderChipGroups: [[g, g.flippedHorizontally()]])[0]
        expectClose(Double(viaFlag.age), Double(viaGroup.age), absolute: 1e-4, "age, mirror flag vs mirror group")
        expectClose(Double(viaFlag.maleProbability), Double(viaGroup.maleProbability), absolute: 1e-6,
                    "male probability, mirror flag vs mirror group")
    }

    /// Several faces in one pass per network (as a photo's faces run) get exactly the
    /// estimates each gets in a pass of its own, bit for bit: a network's output for a chip does
    /// not depend on the other chips of its batch (each output element is summed by one GEMM
    /// job in a fixed order, with the weights prepacked once).
    @Test func facesInOnePassEqualEachFaceAlone() throws {
        var mirrored = estimator
        mirrored.averageMirrored = true
        let count = min(chips.shape[0], genderChips.shape[0])
        #expect(count >= 3)
        // Faces of 1, 2 and 3 chips, built from the fixture's chips in turn.
        var ageGroups: [[Image]] = [], genderGroups: [[Image]] = []
        var next = 0
        for size in [1, 2, 3] {
            ageGroups.append((0..<size).map { image(chips, (next + $0) % count) })
            genderGroups.append((0..<size).map { image(genderChips, (next + $0) % count) })
            next += size
        }
        let together = mirrored.estimate(ageChipGroups: ageGroups, genderChipGroups: genderGroups)
        let alone = zip(ageGroups, genderGroups).map { mirrored.estimate(ageChipGroups: [$0], genderChipGroups: [$1])[0] }
        #expect(together == alone)
        #expect(Set(together.map(\.age)).count == 3)
    }

    /// The jittered boxes: the box itself first, then shifted and resized by the fraction of
    /// its side; none without jitter.
    @Test func jitteredBoxes() {
        let box = FaceBox(left: 100, top: 50, right: 299, bottom: 249)   // 200 x 200
        #expect(FaceAnalyzer.jitteredBoxes(box, fraction: 0) == [box])
        let boxes = FaceAnalyzer.jitteredBoxes(box, fraction: 0.03)
        #expect(boxes.count == 7 && boxes[0] == box)
        #expect(boxes[1] == FaceBox(left: 106, top: 50, right: 305, bottom: 249))
        #expect(boxes[4] == FaceBox(left: 100, top: 44, right: 299, bottom: 243))
        #expect(boxes[5].width == 206 && boxes[6].width == 194)
    }
}
