import Checksums
import Foundation
import Imaging
import Networks
import Tensors
import Testing
import TestSupport
@testable import Faces

/// MTCNN's three networks against PyTorch (facenet-pytorch's own modules) on fixed inputs
/// (Fixtures/mtcnn-parity.safetensors, made by tools/models/convert-mtcnn.sh).
struct MTCNNParityTests {
    let weights: SafetensorsFile
    let fixture: SafetensorsFile
    init() throws {
        weights = try SafetensorsFile(contentsOf: FacesFixtures.models.appendingPathComponent("face-detector.safetensors").path)
        fixture = try SafetensorsFile(contentsOf: FacesFixtures.url("mtcnn-parity.safetensors").path)
    }

    /// Our output against PyTorch's `name` in the fixture, within 1e-4.
    func expectMatches(_ ours: Tensor, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        expectClose(ours, try fixture.tensor(name), absolute: 1e-4, name, sourceLocation: sourceLocation)
    }

    @Test func proposalNetwork() throws {
        let out = try MTCNNProposalNetwork(weights: weights)(try fixture.tensor("pnet.input"))
        try expectMatches(out.offsets, "pnet.output0")
        try expectMatches(out.probabilities, "pnet.output1")
    }

    @Test func refineNetwork() throws {
        let out = try MTCNNRefineNetwork(weights: weights)(try fixture.tensor("rnet.input"))
        try expectMatches(out.offsets, "rnet.output0")
        try expectMatches(out.probabilities, "rnet.output1")
    }

    @Test func outputNetwork() throws {
        let out = try MTCNNOutputNetwork(weights: weights)(try fixture.tensor("onet.input"))
        try expectMatches(out.offsets, "onet.output0")
        try expectMatches(out.landmarks, "onet.output1")
        try expectMatches(out.probabilities, "onet.output2")
    }
}

/// Whole-photo behaviour: EXIF rotation, photos without faces, unreadable files.
struct PhotoTests {
    let analyzer: FaceAnalyzer
    init() throws { analyzer = try FaceAnalyzer(modelsDirectory: FacesFixtures.models) }

    /// A JPEG APP1 segment holding only an EXIF orientation tag (big-endian TIFF, one IFD entry).
    static func exifOrientationSegment(_ orientation: UInt8) -> [UInt8] {
        let tiff: [UInt8] = [0x4D, 0x4D, 0x00, 0x2A, 0, 0, 0, 8,     // "MM", 42, first IFD at 8
                             0, 1,                                   // one entry
                             0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0,  // Orientation, SHORT, 1
                             0, 0, 0, 0]                             // no next IFD
        let payload = Array("Exif".utf8) + [0, 0] + tiff
        let length = payload.count + 2
        return [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
    }

    /// A portrait stored turned a quarter counterclockwise with EXIF orientation 6 ("rotate 90
    /// degrees clockwise to display"): the face is found upright, where the upright photo has it.
    @Test(.enabled(if: FacesFixtures.datasetsPresent, "../shared/datasets is absent"))
    func exifRotatedPhoto() throws {
        let upright = try Image(contentsOfFile: FacesFixtures.datasets.appendingPathComponent("portraits/obama.jpg").path)
        let stored = upright.rotatedCounterclockwise()
        var jpeg = try ImageEncoder.jpeg(stored, quality: 92)
        jpeg.insert(contentsOf: Self.exifOrientationSegment(6), at: 2)   // right after SOI
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("faces-exif-\(getpid()).jpg").path
        try #require(FileManager.default.createFile(atPath: path, contents: Data(jpeg)))
        defer { try? FileManager.default.removeItem(atPath: path) }

        let rotated = try analyzer.analyze(file: path)
        let reference = analyzer.analyze(upright)
        try #require(rotated.count == 1 && reference.count == 1, "faces: \(rotated.count) rotated, \(reference.count) upright")
        let a = rotated[0].detail, b = reference[0].detail
        #expect(abs(a.BoundingBox.Left - b.BoundingBox.Left) < 0.03 && abs(a.BoundingBox.Top - b.BoundingBox.Top) < 0.03)
        // Eyes level and left of right, as in an upright face.
        let eyes = a.Landmarks.prefix(2)
        #expect(eyes.first!.X < eyes.last!.X && abs(eyes.first!.Y - eyes.last!.Y) < 0.02)
        #expect(a.Gender.Value == b.Gender.Value && abs(a.Age - b.Age) < 3)
    }

    /// A photo big enough for DCT-scaled decoding: photo(file:) gives the image the faces'
    /// landmarks refer to, so the chip cut from it shows the face as the chip of the original
    /// photo does; the same landmarks on the full-size decode land elsewhere.
    @Test(.enabled(if: FacesFixtures.datasetsPresent, "../shared/datasets is absent"))
    func chipsOfABigPhotoComeFromTheImageItsFacesWereFoundIn() throws {
        let upright = try Image(contentsOfFile: FacesFixtures.datasets.appendingPathComponent("portraits/obama.jpg").path)
        let big = upright.converted(to: .rgb).resized(width: upright.width * 11 / 5, height: upright.height * 11 / 5, filter: .antialiased)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("faces-big-\(getpid()).jpg").path
        try #require(FileManager.default.createFile(atPath: path, contents: Data(try ImageEncoder.jpeg(big, quality: 92))))
        defer { try? FileManager.default.removeItem(atPath: path) }

        let photo = try analyzer.photo(file: path)
        #expect(photo.width < big.width, "decoded at \(photo.width) x \(photo.height), not DCT-scaled")
        let faces = analyzer.analyze(photo), reference = analyzer.analyze(upright)
        try #require(faces.count == 1 && reference.count == 1)
        func meanDifference(_ a: Image, _ b: Image) -> Double {
            Double(zip(a.pixels, b.pixels).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }) / Double(a.pixels.count)
        }
        let expected = analyzer.alignedChip(upright.converted(to: .rgb), reference[0].landmarks, size: 64)
        let chip = analyzer.alignedChip(photo, faces[0].landmarks, size: 64)
        let misplaced = analyzer.alignedChip(try Image(contentsOfFile: path), faces[0].landmarks, size: 64)
        #expect(meanDifference(chip, expected) < 10, "chip differs by \(meanDifference(chip, expected)) grey levels")
        #expect(meanDifference(misplaced, expected) > 30, "the full decode's chip differs by only \(meanDifference(misplaced, expected))")
    }

    @Test func photoWithoutFacesGivesAnEmptyList() throws {
        var pixels = [UInt8](repeating: 0, count: 320 * 240 * 3)
        for y in 0..<240 { for x in 0..<320 { pixels[(y * 320 + x) * 3] = UInt8(x % 256); pixels[(y * 320 + x) * 3 + 2] = UInt8(y) } }
        #expect(analyzer.analyze(Image(width: 320, height: 240, format: .rgb, pixels: pixels)).isEmpty)
        #expect(analyzer.analyze(Image(width: 8, height: 8, format: .rgb, fill: [128, 128, 128])).isEmpty)
    }

    @Test func corruptPhotoGivesTheImagingError() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("faces-corrupt-\(getpid()).jpg").path
        try #require(FileManager.default.createFile(atPath: path, contents: Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 1, 2, 3])))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: ImagingError.self) { try analyzer.analyze(file: path) }
    }

    @Test func missingModelsNameTheFile() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("faces-no-models-\(getpid())")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let error = #expect(throws: FacesError.self) { try FaceAnalyzer(modelsDirectory: empty) }
        #expect(error?.file.hasSuffix(".json") == true)
    }

    @Test func aBrokenCardNamesTheFileAndTheField() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("faces-card-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let card = try String(contentsOf: FacesFixtures.models.appendingPathComponent("face-detector.json"), encoding: .utf8)
        let broken = card.replacingOccurrences(of: #""bytes": 1987648"#, with: #""bytes": "1987648""#)
        #expect(broken != card)
        let path = dir.appendingPathComponent("face-detector.json")
        try broken.write(to: path, atomically: true, encoding: .utf8)
        let error = #expect(throws: FacesError.self) { try FaceDetector(modelsDirectory: dir) }
        #expect(error?.file == path.path)
        #expect(error?.reason.hasPrefix("field file.bytes: expected a number") == true, "\(error?.description ?? "")")
    }
}

@Suite struct FaceWeightsVerificationTests {
    @Test func corruptedWeightsAreRefusedAgainstTheCard() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("faces-corrupt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: FacesFixtures.models.appendingPathComponent("face-detector.json"),
                                         to: dir.appendingPathComponent("face-detector.json"))
        var bytes = try Data(contentsOf: FacesFixtures.models.appendingPathComponent("face-detector.safetensors"))
        let expected = SHA256.hex(bytes)
        bytes[bytes.count / 2] ^= 0x80   // same size, so only the hash can tell
        let corrupted = dir.appendingPathComponent("face-detector.safetensors")
        try bytes.write(to: corrupted)
        let error = #expect(throws: FacesError.self) { try FaceDetector(modelsDirectory: dir) }
        #expect(error?.description == "\(corrupted.path): sha256 \(SHA256.hex(bytes)) does not match its card (\(expected)); regenerate with tools/models/convert-face-models.sh")
    }
}
