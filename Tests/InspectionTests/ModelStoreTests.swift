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

    @Test func loadsABundleByNameOrPathAndScoresAsTheSavedModel() throws {
        let result = try #require(fixture.result, "training failed: \(fixture.error ?? "")")
        let root = try Self.temporaryFolder("load")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = ModelStore(root: root)
        let path = store.bundlePath("surface")
        #expect(path == root + "/surface")
        #expect(!ModelStore.isBundle(path))
        try ModelBundle.save(result.model, card: result.card, to: path)
        #expect(ModelStore.isBundle(path))
        // A path to a bundle is taken as it is, whatever the store.
        #expect(ModelStore(root: "/elsewhere").bundlePath(path) == path)

        let byName = try store.load("surface", modelsDirectory: Self.noModelsDirectory)
        let byPath = try ModelStore(root: "/elsewhere").load(path, modelsDirectory: Self.noModelsDirectory)
        #expect(byName.name == "surface" && byPath.name == "surface")
        #expect(byName.path == path)
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

    @Test func listsAndLoadsTheBundlesOfFoldersAndRefusesTwoOfOneName() throws {
        let result = try #require(fixture.result, "training failed: \(fixture.error ?? "")")
        let first = try Self.temporaryFolder("first"), second = try Self.temporaryFolder("second")
        defer {
            try? FileManager.default.removeItem(atPath: first)
            try? FileManager.default.removeItem(atPath: second)
        }
        try ModelBundle.save(result.model, card: result.card, to: first + "/b-model")
        try ModelBundle.save(result.model, card: result.card, to: first + "/a-model")
        try FileManager.default.createDirectory(atPath: first + "/not-a-model", withIntermediateDirectories: true)
        try ModelBundle.save(result.model, card: result.card, to: second + "/c-model")

        #expect(ModelStore.bundles(in: first).map(\.name) == ["a-model", "b-model"])
        #expect(ModelStore.bundles(in: first + "/missing").isEmpty)
        let loaded = try ModelStore.loadBundles(in: [first, second, first + "/missing"], modelsDirectory: Self.noModelsDirectory)
        #expect(loaded.map(\.name) == ["a-model", "b-model", "c-model"])
        #expect(loaded.map(\.path) == [first + "/a-model", first + "/b-model", second + "/c-model"])

        try ModelBundle.save(result.model, card: result.card, to: second + "/a-model")
        #expect {
            _ = try ModelStore.loadBundles(in: [first, second], modelsDirectory: Self.noModelsDirectory)
        } throws: { error in
            "\(error)" == "two inspection models are called 'a-model': \(first)/a-model and \(second)/a-model"
        }
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

    @Test func aDamagedBundleStopsTheListingWithItsPathAndReason() throws {
        let result = try #require(fixture.result, "training failed: \(fixture.error ?? "")")
        let folder = try Self.temporaryFolder("damaged")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let bundle = folder + "/surface"
        try ModelBundle.save(result.model, card: result.card, to: bundle)
        let weights = URL(fileURLWithPath: bundle + "/" + ModelBundle.weightsFile)
        var data = try Data(contentsOf: weights)
        data[data.count - 1] ^= 0xFF
        try data.write(to: weights)
        #expect {
            _ = try ModelStore.loadBundles(in: [folder], modelsDirectory: Self.noModelsDirectory)
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("inspection model \(bundle): ") && text.contains("corrupted")
        }
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
