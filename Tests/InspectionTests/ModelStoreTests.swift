import Foundation
import Testing
@testable import Inspection

/// The store the command line and the server share: where the root is, how names become
/// bundle folders, and loading one bundle or a folder of them.
@Suite(.serialized) struct ModelStoreTests {
    let fixture = GeneratedFixture.shared

    /// A fresh temporary folder, removed by the caller.
    static func temporaryFolder(_ label: String) throws -> String {
        let path = NSTemporaryDirectory() + "model-store-tests-\(label)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Asks for the Models directory only to fail the test: the texture backbone has no weights.
    static func noModelsDirectory() throws -> String {
        Issue.record("the Models directory was asked for a backbone without weights")
        return "/nonexistent"
    }

    @Test func rootIsTheOptionThenTheEnvironmentThenTheDefault() {
        let environment = [ModelStore.environmentVariable: "/srv/models"]
        #expect(ModelStore(root: "/given", environment: environment).root == "/given")
        #expect(ModelStore(root: nil, environment: environment).root == "/srv/models")
        #expect(ModelStore(root: nil, environment: [ModelStore.environmentVariable: ""]).root == "trained-models")
        #expect(ModelStore(root: nil, environment: [:]).root == "trained-models")
    }

    @Test func loadsAVersionByNameOrPathAndScoresAsTheSavedModel() throws {
        let result = try #require(fixture.result, "training failed: \(fixture.error ?? "")")
        let root = try Self.temporaryFolder("load")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = ModelStore(root: root)
        #expect(store.modelFolder("surface") == root + "/surface")
        let saved = try store.saveNewVersion(result.model, card: result.card, name: "surface")
        #expect(saved.path == root + "/surface/v1" && saved.number == 1)
        #expect(ModelStore.isBundle(saved.path))
        // A path to a bundle is taken as it is, whatever the store; so is a model folder's.
        #expect(try ModelStore(root: "/elsewhere").resolve(saved.path) == saved)
        #expect(try ModelStore(root: "/elsewhere").resolve(root + "/surface") == saved)

        let byName = try store.load("surface", modelsDirectory: Self.noModelsDirectory)
        let byPath = try ModelStore(root: "/elsewhere").load(saved.path, modelsDirectory: Self.noModelsDirectory)
        #expect(byName.name == "surface" && byPath.name == "surface" && byName.version == 1 && byPath.version == 1)
        #expect(byName.path == saved.path)
        #expect(byName.card == byPath.card)
        #expect(byName.card.threshold == result.card.threshold)

        let photos = try InspectionDataset.folders(good: fixture.test.good, bad: fixture.test.bad).images.prefix(4).map(\.path)
        var worst: Float = 0
        for photo in photos {
            let image = try ImagePreparation.load(photo, size: result.model.inputSize).resized
            let saved = result.model.inspect([image])[0].score
            let loaded = byName.model.inspect([image])[0].score
            worst = max(worst, abs(saved - loaded))
        }
        print("ModelStore: max |score(saved) - score(loaded)| over \(photos.count) photos = \(worst)")
        #expect(worst <= 1e-5)
    }

    @Test func aMissingModelNamesWhereItLookedAndHowToTrainOne() throws {
        let root = try Self.temporaryFolder("missing")
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect {
            _ = try ModelStore(root: root).load("widgets", modelsDirectory: Self.noModelsDirectory)
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("widgets: no such model") && text.contains(root + "/widgets")
                && text.contains("inspect train GOOD_DIR [BAD_DIR] --name widgets")
        }
    }

    @Test func loadsTheServedVersionOfEachModelOfTheFoldersAndListsASecondOfOneNameAsBroken() throws {
        let result = try #require(fixture.result, "training failed: \(fixture.error ?? "")")
        let first = try Self.temporaryFolder("first"), second = try Self.temporaryFolder("second")
        defer {
            try? FileManager.default.removeItem(atPath: first)
            try? FileManager.default.removeItem(atPath: second)
        }
        let one = ModelStore(root: first), two = ModelStore(root: second)
        try one.saveNewVersion(result.model, card: result.card, name: "b-model")
        try one.saveNewVersion(result.model, card: result.card, name: "b-model")
        try one.saveNewVersion(result.model, card: result.card, name: "a-model")
        try FileManager.default.createDirectory(atPath: first + "/not-a-model", withIntermediateDirectories: true)
        try two.saveNewVersion(result.model, card: result.card, name: "c-model")

        #expect(ModelStore.listing(of: first).models.map(\.name) == ["a-model", "b-model"])
        #expect(ModelStore.listing(of: first + "/missing").models.isEmpty)
        let loaded = ModelStore.loadServed(in: [first, second, first + "/missing"], modelsDirectory: Self.noModelsDirectory)
        #expect(loaded.broken.isEmpty)
        #expect(loaded.models.map(\.label) == ["a-model v1", "b-model v2", "c-model v1"])
        #expect(loaded.models.map(\.path) == [first + "/a-model/v1", first + "/b-model/v2", second + "/c-model/v1"])
        #expect(loaded.listed.map { $0.model.versions.count } == [1, 2, 1])

        // A second model of one name is listed as broken; the first serves.
        try two.saveNewVersion(result.model, card: result.card, name: "a-model")
        let again = ModelStore.loadServed(in: [first, second], reusing: loaded.models, modelsDirectory: Self.noModelsDirectory)
        #expect(again.models.map(\.label) == ["a-model v1", "b-model v2", "c-model v1"])
        #expect(again.broken == [BrokenModel(name: "a-model", version: nil, path: second + "/a-model",
                                             error: "two inspection models are called 'a-model': \(first)/a-model (served) and \(second)/a-model")])
    }

    @Test func aBrokenCardNamesTheFileTheFieldAndTheProblemInWords() throws {
        let result = try #require(fixture.result, "training failed: \(fixture.error ?? "")")
        let folder = try Self.temporaryFolder("broken-card")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try ModelBundle.save(result.model, card: result.card, to: folder)
        let cardPath = folder + "/" + ModelBundle.cardFile
        let good = try String(contentsOfFile: cardPath, encoding: .utf8)
        let threshold = try #require(good.range(of: #""threshold" : [^,\n]+"#, options: .regularExpression))
        let cases: [(String, [String])] = [
            (String(good.prefix(good.count / 2)), ["not valid JSON"]),
            (good.replacingCharacters(in: threshold, with: #""threshold" : "high""#), ["threshold: expected a number"]),
            (good.replacingOccurrences(of: #""kind""#, with: #""kindd""#), ["field kind: missing"]),
            ("[1, 2]", ["expected an object"]),
        ]
        for (text, expected) in cases {
            try text.write(toFile: cardPath, atomically: true, encoding: .utf8)
            let message: String
            do { _ = try ModelBundle.readCard(folder); message = "" } catch { message = error.description }
            #expect(message.hasPrefix(cardPath + ": "), "\(message)")
            for words in expected { #expect(message.contains(words), "\(words) in: \(message)") }
            for internals in ["Context(", "CodingKeys", "Error Domain", "UserInfo", "NSDebugDescription", "DecodingError"] {
                #expect(!message.contains(internals), "\(internals) in: \(message)")
            }
        }
    }

    @Test func aDamagedVersionIsListedWithItsPathAndReasonWhileTheOthersLoad() throws {
        let result = try #require(fixture.result, "training failed: \(fixture.error ?? "")")
        let folder = try Self.temporaryFolder("damaged")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = ModelStore(root: folder)
        let damaged = try store.saveNewVersion(result.model, card: result.card, name: "surface")
        try store.saveNewVersion(result.model, card: result.card, name: "other")
        let weights = URL(fileURLWithPath: damaged.path + "/" + ModelBundle.weightsFile)
        var data = try Data(contentsOf: weights)
        data[data.count - 1] ^= 0xFF
        try data.write(to: weights)
        let loaded = ModelStore.loadServed(in: [folder], modelsDirectory: Self.noModelsDirectory)
        #expect(loaded.models.map(\.label) == ["other v1"])
        let broken = try #require(loaded.broken.first)
        #expect(loaded.broken.count == 1)
        #expect(broken.name == "surface" && broken.version == 1 && broken.path == damaged.path)
        #expect(broken.error.hasPrefix(weights.path + ": ") && broken.error.contains("corrupted"), "\(broken.error)")
    }

    @Test func modelsDirectoryIsTheOptionThenTheEnvironmentThenHereThenBesideTheExecutable() throws {
        let root = try Self.temporaryFolder("models")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let withModels = root + "/clone", elsewhere = root + "/elsewhere"
        try FileManager.default.createDirectory(atPath: withModels + "/Models", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: withModels + "/.build/release", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        let executable = URL(fileURLWithPath: withModels + "/.build/release/inspect")
        let env = [ModelsDirectory.environmentVariable: withModels + "/Models"]

        #expect(try ModelsDirectory.resolve(withModels + "/Models", environment: [:], currentDirectory: elsewhere, executable: nil).path == withModels + "/Models")
        #expect(try ModelsDirectory.resolve(nil, environment: env, currentDirectory: elsewhere, executable: nil).path == withModels + "/Models")
        #expect(try ModelsDirectory.resolve(nil, environment: [:], currentDirectory: withModels, executable: nil).path == withModels + "/Models")
        #expect(try ModelsDirectory.resolve(nil, environment: [:], currentDirectory: elsewhere, executable: executable).path == withModels + "/Models")

        #expect { try ModelsDirectory.resolve(elsewhere + "/none", environment: env) } throws: { error in
            "\(error)" == "--models \(elsewhere)/none: no such directory"
        }
        #expect { try ModelsDirectory.resolve(nil, environment: [ModelsDirectory.environmentVariable: "/no/such"]) } throws: { error in
            "\(error)" == "INSPECT_MODELS=/no/such: no such directory"
        }
        #expect { try ModelsDirectory.resolve(nil, environment: [:], currentDirectory: elsewhere, executable: nil) } throws: { error in
            "\(error)" == "no Models directory found (give --models DIR or set INSPECT_MODELS; looked in \(elsewhere)/Models)"
        }
    }
}
