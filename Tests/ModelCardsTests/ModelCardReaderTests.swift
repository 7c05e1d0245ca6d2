import Foundation
import Testing
import ModelCards

/// Broken cards are refused with the file, the field's path and what is wrong, in words.
struct ModelCardReaderTests {
    struct Card: Decodable, Equatable {
        struct Input: Decodable, Equatable { let width: Int; let mean: [Float] }
        struct Source: Decodable, Equatable { let package: String; let version: String }
        let name: String
        let input: Input
        let source: Source
        let license: String?
    }

    static let good = #"{"name": "net", "input": {"width": 224, "mean": [0.5, 0.5, 0.5]}, "source": {"package": "p", "version": "1.0"}}"#

    func error(_ json: String) -> ModelCardError? {
        do { _ = try ModelCardReader.decode(Card.self, from: Data(json.utf8), file: "Models/net.json"); return nil } catch { return error }
    }

    @Test func readsAGoodCardFromAFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("card-\(UUID().uuidString).json")
        try Data(Self.good.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let card = try ModelCardReader.read(Card.self, from: url.path)
        #expect(card == Card(name: "net", input: .init(width: 224, mean: [0.5, 0.5, 0.5]), source: .init(package: "p", version: "1.0"), license: nil))
    }

    @Test func namesTheFileAndTheField() {
        let missing = error(Self.good.replacingOccurrences(of: #""version": "1.0""#, with: #""release": "1.0""#))
        #expect(missing == ModelCardError(file: "Models/net.json", field: "source.version", reason: "missing"))
        #expect(missing?.description == "Models/net.json: field source.version: missing")

        let wrongType = error(Self.good.replacingOccurrences(of: "224", with: #""224""#))
        #expect(wrongType?.field == "input.width")
        #expect(wrongType?.reason.hasPrefix("expected a number") == true, "\(wrongType?.reason ?? "")")

        let wrongElement = error(Self.good.replacingOccurrences(of: "0.5, 0.5]", with: #"0.5, "x"]"#))
        #expect(wrongElement?.field == "input.mean[2]", "\(wrongElement?.description ?? "")")

        let notAList = error(Self.good.replacingOccurrences(of: "[0.5, 0.5, 0.5]", with: "0.5"))
        #expect(notAList?.field == "input.mean" && notAList?.reason.hasPrefix("expected a list") == true, "\(notAList?.description ?? "")")

        let null = error(Self.good.replacingOccurrences(of: #""net""#, with: "null"))
        #expect(null?.field == "name" && null?.reason.hasPrefix("is null") == true, "\(null?.description ?? "")")
    }

    @Test func brokenJSONAndMissingFilesAreNamed() {
        let broken = error(#"{"name": "net", "#)
        #expect(broken?.file == "Models/net.json" && broken?.field == nil)
        #expect(broken?.reason.hasPrefix("not valid JSON") == true, "\(broken?.description ?? "")")
        // The parser's own words, with the place: a reader can find and fix it.
        #expect(broken?.reason == "not valid JSON: unexpected end of file", "\(broken?.description ?? "")")
        let misplaced = error("{\n  \"name\": \"net\",,\n}")
        #expect(misplaced?.reason.hasPrefix("not valid JSON: ") == true && misplaced?.reason.contains("line 2, column") == true,
                "\(misplaced?.description ?? "")")
        print("broken JSON: \(broken?.description ?? "no error")")
        // No raw DecodingError dump ("keyNotFound(CodingKeys(...)", "Context(codingPath: ...").
        for e in [broken, error("{}"), error(#"{"name": 3}"#)] {
            #expect(e.map { !$0.description.contains("CodingKeys") && !$0.description.contains("Context(") } == true, "\(e?.description ?? "")")
        }
        let path = "/nonexistent/\(UUID().uuidString).json"
        #expect(throws: ModelCardError(file: path, reason: "cannot read the file (missing or unreadable)")) {
            try ModelCardReader.read(Card.self, from: path)
        }
    }
}
