import Foundation
import Imaging
import Networks
import Tensors
import Testing
@testable import Faces

/// MTCNN's three networks against PyTorch (facenet-pytorch's own modules) on fixed inputs
/// (Fixtures/mtcnn-parity.safetensors, made by tools/convert-mtcnn.sh).
struct MTCNNParityTests {
    let weights: SafetensorsFile
    let fixture: SafetensorsFile
    init() throws {
        weights = try SafetensorsFile(contentsOf: FacesFixtures.models.appendingPathComponent("face-detector.safetensors").path)
        fixture = try SafetensorsFile(contentsOf: FacesFixtures.url("mtcnn-parity.safetensors").path)
    }

    func expectClose(_ ours: Tensor, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let expected = try fixture.tensor(name)
        #expect(ours.count == expected.count, "\(name): \(ours.shape) vs \(expected.shape)", sourceLocation: sourceLocation)
        let worst = zip(ours.scalars, expected.scalars).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst < 1e-4, "\(name): max difference \(worst)", sourceLocation: sourceLocation)
    }

    @Test func proposalNetwork() throws {
        let out = try MTCNNProposalNetwork(weights: weights)(try fixture.tensor("pnet.input"))
        try expectClose(out.offsets, "pnet.output0")
        try expectClose(out.probabilities, "pnet.output1")
    }

    @Test func refineNetwork() throws {
        let out = try MTCNNRefineNetwork(weights: weights)(try fixture.tensor("rnet.input"))
        try expectClose(out.offsets, "rnet.output0")
        try expectClose(out.probabilities, "rnet.output1")
    }

    @Test func outputNetwork() throws {
        let out = try MTCNNOutputNetwork(weights: weights)(try fixture.tensor("onet.input"))
        try expectClose(out.offsets, "onet.output0")
        try expectClose(out.landmarks, "onet.output1")
        try expectClose(out.probabilities, "onet.output2")
    }
}

@Suite(.enabled(if: FacesFixtures.datasetsPresent, "../shared/datasets is absent"))
struct DetectorTests {
    /// Every face the reference (dlib HOG) found, our detector finds too, at the same place.
    @Test func findsTheReferenceFaces() throws {
        let detector = try FaceDetector(modelsDirectory: FacesFixtures.models)
        let fixture = try ReferenceFixture.load()
        var matched = 0, total = 0
        for entry in fixture.images {
            let image = try Image(contentsOfFile: FacesFixtures.datasets.appendingPathComponent(entry.image).path)
            let faces = detector.detect(image)
            for face in entry.faces {
                total += 1
                let b = face.faceBox
                let hit = faces.contains { f in
                    let cx = (f.x1 + f.x2) / 2, cy = (f.y1 + f.y2) / 2
                    return cx > b.left && cx < b.right && cy > b.top && cy < b.bottom
                }
                if hit { matched += 1 }
            }
        }
        #expect(total >= 30)
        #expect(matched == total, "found \(matched) of the reference's \(total) faces")
    }
}
