import Checksums
import Foundation
import Testing
@testable import Inspection

/// Model versions in the store: each save adds one, `NAME` means the promoted (else newest)
/// version and `NAME@N` version N, promotion and removal, and models saved before versions.
@Suite(.serialized) struct ModelVersionsTests {
    let fixture = GeneratedFixture.shared

    @Test func referencesAreNameOrNameAtAVersionNumber() throws {
        #expect(try ModelReference(parsing: "demo") == ModelReference(base: "demo"))
        #expect(try ModelReference(parsing: "demo@12") == ModelReference(base: "demo", version: 12))
        #expect(try ModelReference(parsing: "store/demo@2") == ModelReference(base: "store/demo", version: 2))
        for bad in ["demo@0", "demo@", "demo@x", "demo@02", "demo@-1"] {
            #expect(throws: InspectionError.self, "\(bad)") { try ModelReference(parsing: bad) }
        }
        #expect(ModelVersionNumber.ofFolder("v3") == 3)
        #expect(ModelVersionNumber.ofFolder("v03") == nil && ModelVersionNumber.ofFolder("3") == nil && ModelVersionNumber.ofFolder("v") == nil)
    }

    @Test func eachSaveAddsAVersionAndTheNameMeansThePromotedElseTheNewest() throws {
        let result = try #require(fixture.result, "training failed: \(fixture.error ?? "")")
        let root = try ModelStoreTests.temporaryFolder("versions")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = ModelStore(root: root)
        var second = result.card
        second.threshold += 1
        let v1 = try store.saveNewVersion(result.model, card: result.card, name: "widget")
        let v2 = try store.saveNewVersion(result.model, card: second, name: "widget")
        #expect(v1.number == 1 && v2.number == 2)
        #expect(v2.path == root + "/widget/v2")
        // Nothing half-written is left beside the versions.
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/widget").sorted() == ["v1", "v2"])

        #expect(try store.resolve("widget") == v2)
        #expect(try store.resolve("widget@1") == v1)
        #expect(try store.load("widget@1", modelsDirectory: ModelStoreTests.noModelsDirectory).card.threshold == result.card.threshold)
        #expect(try store.load("widget", modelsDirectory: ModelStoreTests.noModelsDirectory).card.threshold == second.threshold)
        #expect { try store.resolve("widget@3") } throws: { "\($0)" == "widget@3: widget has no version 3 (versions: 1, 2)" }

        try store.promote("widget", version: 1)
        #expect(try String(contentsOfFile: root + "/widget/promoted", encoding: .utf8) == "1\n")
        #expect(try store.resolve("widget") == v1)
        // A newer version does not change what is promoted.
        let v3 = try store.saveNewVersion(result.model, card: result.card, name: "widget")
        #expect(v3.number == 3)
        #expect(try store.resolve("widget") == v1)
        #expect(try store.model(named: "widget").versionList == "1, 2, 3")
        #expect { try store.promote("widget", version: 9) } throws: { "\($0)".contains("widget has no version 9 (versions: 1, 2, 3)") }

        // The promoted version is kept unless forced.
        #expect { try store.remove("widget", version: 1) } throws: { error in
            let text = "\(error)"
            return text.contains("version 1 is the promoted version of widget") && text.contains("--force")
        }
        #expect(try store.remove("widget", version: 2) == .version)
        #expect(try store.model(named: "widget").versionList == "1, 3")
        #expect(try store.remove("widget", version: 1, force: true) == .version)
        #expect(!FileManager.default.fileExists(atPath: root + "/widget/promoted"))
        #expect(try store.resolve("widget") == v3)
        // Removing the last version removes the model.
        #expect(try store.remove("widget", version: 3) == .model)
        #expect(!FileManager.default.fileExists(atPath: root + "/widget"))
        #expect { try store.resolve("widget") } throws: { "\($0)".hasPrefix("widget: no such model") }
    }

    @Test func aModelSavedBeforeVersionsLoadsAsVersionOneAndMovesIntoV1OnTheNextSave() throws {
        let result = try #require(fixture.result, "training failed: \(fixture.error ?? "")")
        let root = try ModelStoreTests.temporaryFolder("old-layout")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = ModelStore(root: root)
        // The layout of the release before versions: the bundle is the model folder itself.
        try ModelBundle.save(result.model, card: result.card, to: root + "/old")
        let listed = try #require(store.listing().models.first)
        #expect(listed.versions == [ModelVersion(name: "old", number: 1, path: root + "/old", isUnversionedLayout: true)])
        for reference in ["old", "old@1", root + "/old"] {
            let loaded = try store.load(reference, modelsDirectory: ModelStoreTests.noModelsDirectory)
            #expect(loaded.label == "old v1" && loaded.path == root + "/old" && loaded.card.threshold == result.card.threshold, "\(reference)")
        }
        let served = ModelStore.loadServed(in: [root], modelsDirectory: ModelStoreTests.noModelsDirectory)
        #expect(served.models.map(\.label) == ["old v1"] && served.broken.isEmpty)

        let v2 = try store.saveNewVersion(result.model, card: result.card, name: "old")
        #expect(v2.number == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/old").sorted() == ["v1", "v2"])
        let v1 = try store.load("old@1", modelsDirectory: ModelStoreTests.noModelsDirectory)
        #expect(v1.path == root + "/old/v1" && v1.card.threshold == result.card.threshold)
    }

    @Test func aBrokenPromotedFileNamesItselfAndTheOtherModelsStillList() throws {
        let result = try #require(fixture.result, "training failed: \(fixture.error ?? "")")
        let root = try ModelStoreTests.temporaryFolder("promoted")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = ModelStore(root: root)
        try store.saveNewVersion(result.model, card: result.card, name: "a")
        try store.saveNewVersion(result.model, card: result.card, name: "b")
        try "7\n".write(toFile: root + "/a/promoted", atomically: true, encoding: .utf8)
        let listing = store.listing()
        #expect(listing.models.map(\.name) == ["b"])
        #expect(listing.problems.map(\.error) == ["\(root)/a/promoted: names version 7, which does not exist (versions: 1)"])
        try "latest".write(toFile: root + "/a/promoted", atomically: true, encoding: .utf8)
        #expect(store.listing().problems.map(\.error) == ["\(root)/a/promoted: expected a version number, found \"latest\""])
    }

    @Test func theCardRecordsThePhotoCountAndAHashOfTheirContents() throws {
        let result = try #require(fixture.result, "training failed: \(fixture.error ?? "")")
        let data = try #require(result.card.trainingData)
        let dataset = try InspectionDataset.folders(good: fixture.train.good, bad: fixture.train.bad)
        #expect(data.photos == dataset.images.count)
        // Recomputed here from the files: the label and the SHA-256 of each file's bytes.
        let photos: [(isAnomalous: Bool, sha256: String)] = try dataset.images.map { image in
            (isAnomalous: image.isAnomalous, sha256: SHA256.hex(try Data(contentsOf: URL(fileURLWithPath: image.path))))
        }
        #expect(ModelCard.TrainingData(photos: photos).sha256 == data.sha256)
        // The order does not matter; a label does.
        #expect(ModelCard.TrainingData(photos: Array(photos.reversed())).sha256 == data.sha256)
        var relabelled = photos
        relabelled[0].isAnomalous.toggle()
        #expect(ModelCard.TrainingData(photos: relabelled).sha256 != data.sha256)
    }
}
