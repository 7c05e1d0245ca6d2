import Foundation
import Imaging
import Networks
import Tensors
import Testing
@testable import Faces

/// The reference package's records (Fixtures/reference-faces.json, tools/fixtures/make-face-fixtures.sh).
struct ReferenceFixture: Decodable {
    struct Face: Decodable {
        let box: [Int]
        let landmarks: [[Int]]
        let age: Double
        let gender: String
        let male_probability: Double
        let parity_index: Int?
    }
    struct Entry: Decodable {
        let image: String
        let width: Int
        let height: Int
        let faces: [Face]
    }
    let images: [Entry]

    static func load() throws -> ReferenceFixture {
        try JSONDecoder().decode(ReferenceFixture.self, from: Data(contentsOf: FacesFixtures.url("reference-faces.json")))
    }
}

extension ReferenceFixture.Face {
    var faceBox: FaceBox {
        FaceBox(left: Double(box[0]), top: Double(box[1]), right: Double(box[2]), bottom: Double(box[3]))
    }
}

@Suite(.enabled(if: FacesFixtures.datasetsPresent, "../shared/datasets is absent"))
struct LandmarkAndChipTests {
    let predictor: ShapePredictor
    let fixture: ReferenceFixture

    init() throws {
        predictor = try ShapePredictor(modelsDirectory: FacesFixtures.models)
        fixture = try ReferenceFixture.load()
    }

    /// dlib's landmarks on dlib's own boxes: ours, rounded as dlib rounds, should agree.
    @Test func landmarksMatchDlib() throws {
        var worst = 0.0, count = 0, exact = 0
        for entry in fixture.images {
            let image = try Image(contentsOfFile: FacesFixtures.datasets.appendingPathComponent(entry.image).path)
            #expect(image.width == entry.width && image.height == entry.height, "\(entry.image)")
            for face in entry.faces {
                let ours = predictor.landmarks(in: image, box: face.faceBox)
                for (p, q) in zip(ours, face.landmarks) {
                    let r = p.rounded
                    let d = max(abs(r.x - Double(q[0])), abs(r.y - Double(q[1])))
                    worst = max(worst, d)
                    if d == 0 { exact += 1 }
                    count += 1
                }
            }
        }
        #expect(count >= 100)
        #expect(worst <= 1, "worst landmark difference \(worst) px")
        #expect(Double(exact) >= 0.95 * Double(count), "\(exact) of \(count) landmarks exactly equal")
    }

    /// Boxes that walk the trees together get exactly the landmarks each gets alone.
    @Test func boxesTogetherGiveEachBoxsOwnLandmarks() throws {
        var compared = 0
        for entry in fixture.images.prefix(6) {
            let image = try Image(contentsOfFile: FacesFixtures.datasets.appendingPathComponent(entry.image).path)
            for face in entry.faces {
                let boxes = FaceAnalyzer.jitteredBoxes(face.faceBox, fraction: 0.05)
                let together = predictor.landmarks(in: image, boxes: boxes)
                #expect(together.count == boxes.count)
                for (box, points) in zip(boxes, together) {
                    #expect(points == predictor.landmarks(in: image, box: box), "\(entry.image) box \(box)")
                    compared += 1
                }
            }
        }
        #expect(compared >= 14)
        #expect(predictor.landmarks(in: Image(width: 8, height: 8, format: .rgb, fill: [0, 0, 0]), boxes: []).isEmpty)
    }

    /// Our chips from dlib's landmarks against the reference's chips of the portraits.
    @Test func chipsMatchDlib() throws {
        let parity = try SafetensorsFile(contentsOf: FacesFixtures.url("network-parity.safetensors").path)
        let ageChips = try parity.tensor("age_chips"), genderChips = try parity.tensor("gender_chips")
        var checked = 0
        for entry in fixture.images where entry.image.hasPrefix("portraits/") {
            let image = try Image(contentsOfFile: FacesFixtures.datasets.appendingPathComponent(entry.image).path)
            for face in entry.faces {
                guard let index = face.parity_index else { continue }
                let landmarks = face.landmarks.map { FacePoint(x: Double($0[0]), y: Double($0[1])) }
                for (size, reference) in [(64, ageChips), (32, genderChips)] {
                    let chip = FaceChipExtractor.extract(from: image, FaceChipGeometry(landmarks: landmarks, size: size, padding: 0.2))
                    let n = size * size * 3
                    var total = 0.0
                    for i in 0..<n { total += abs(Double(chip.pixels[i]) - Double(reference.data[index * n + i])) }
                    let mean = total / Double(n)
                    #expect(mean < 1.0, "\(entry.image) \(size)px chip: mean |ours - dlib| = \(mean)")
                }
                checked += 1
            }
        }
        #expect(checked >= 4)
    }
}
