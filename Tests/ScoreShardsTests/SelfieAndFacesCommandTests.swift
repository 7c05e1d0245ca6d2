import Foundation
import Imaging
import Testing
import TestSupport

private let selfiePortrait = TestPaths.sharedDatasets.appendingPathComponent("portraits/obama.jpg").path
private let hasSelfiePortrait = FileManager.default.fileExists(atPath: selfiePortrait)

/// `inspect survival --selfie` and `inspect faces --json`, run as a user runs them.
@Suite struct SelfieAndFacesCommandTests {
    private func inspect(_ arguments: [String]) throws -> InspectBinary.Run {
        try InspectBinary.run(arguments + ["--models", TestPaths.models.path])
    }

    /// A plain grey picture: decodable, no face in it.
    static func facelessPhoto() throws -> String {
        let path = NSTemporaryDirectory() + "wall-\(UUID().uuidString).png"
        try Image(width: 200, height: 160, format: .rgb, pixels: [UInt8](repeating: 128, count: 200 * 160 * 3)).write(to: path)
        return path
    }

    @Test(.enabled(if: hasSelfiePortrait, "needs ../shared/datasets/portraits"))
    func aSelfieAnswersWithTheRangeAndTheFace() throws {
        let run = try inspect(["survival", "--selfie", selfiePortrait, "--pclass", "1", "--embarked", "C"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("% sure, "), "\(run.stdout)")
        #expect(run.stdout.contains("over the age range and sex"), "\(run.stdout)")
        let json = try inspect(["survival", "--selfie", selfiePortrait, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let estimate = try #require(object["Estimate"] as? [String: Any])
        let (p, low, high) = (estimate["probability"] as? Double ?? -1, estimate["low"] as? Double ?? 2, estimate["high"] as? Double ?? -1)
        #expect(low <= p && p <= high)
        let score = ((object["Prediction"] as? [String: Any])?["predictedScores"] as? [String: Double])?["1"]
        #expect(score == p)
        #expect((object["UsedInput"] as? [String: Any])?["sex"] as? String == "male")
    }

    @Test func aSelfieWithoutAFaceOrWithAgeTooIsRefused() throws {
        let wall = try Self.facelessPhoto()
        defer { try? FileManager.default.removeItem(atPath: wall) }
        let none = try inspect(["survival", "--selfie", wall])
        #expect(none.status == 1)
        #expect(none.stderr.contains("no face found"), "\(none.stderr)")
        let both = try inspect(["survival", "--selfie", wall, "--age", "30"])
        #expect(both.status == 64, "\(both.stderr)")
    }

    @Test func facesJSONHasOneShapeForOnePhotoOrMany() throws {
        let wall = try Self.facelessPhoto()
        defer { try? FileManager.default.removeItem(atPath: wall) }
        let one = try inspect(["faces", "--json", wall])
        #expect(one.status == 0, "\(one.stderr)")
        let lines = one.stdout.split(separator: "\n")
        #expect(lines.count == 1, "one JSON line: \(one.stdout)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data((lines.first ?? "").utf8)) as? [String: Any])
        #expect(object["Image"] as? String == wall)
        #expect((object["FaceDetails"] as? [Any])?.isEmpty == true)
        let two = try inspect(["faces", "--json", wall, wall])
        #expect(two.stdout.split(separator: "\n").count == 2)
        let pretty = try inspect(["faces", "--json", "--pretty", wall])
        #expect(pretty.stdout.split(separator: "\n").count > 1 && pretty.stdout.contains("\"Image\""))
    }
}
