import Foundation
import Imaging
import Inspection
import InspectionTestSupport
import Server
import Testing

/// A segmentation model (two defect types, trained from coloured masks on generated surfaces
/// with the texture-statistics backbone) served by the detect route: the answer has Lookout's
/// segmentation shape, `Anomalies` per type with its colour and area, and `AnomalyMask` is a
/// PNG at the photo's size coloured by type, both as the model segments the photo directly.
@Suite(.serialized) struct SegmentationRouteTests {
    @Test func detectAnswersTypesAndAColouredMask() async throws {
        let fixture = try TwoTypeSegmentationFixture(name: "inspect-segmentation-route", testGood: 1, testDefective: 6)
        defer { fixture.remove() }
        let (result, test, root) = (fixture.result, fixture.test, fixture.root)
        #expect(result.card.segmentation != nil)
        let store = URL(fileURLWithPath: root + "/store")
        try ModelBundle.save(result.model, card: result.card, to: store.appendingPathComponent("seg").path)
        let catalog = try StubCatalog.catalog().loadingInspection(from: InspectionSource(modelsDirectory: repositoryModels, folders: [store]))

        // A defective test photo the model calls anomalous and marks.
        let photos = try InspectionDataset.imagesIn(test.bad)
        let marked = try photos.first { path in
            let r = result.model.inspect([try ImagePreparation.load(path, size: result.card.inputSize).resized])[0]
            return r.isAnomalous && r.anomalousArea > 0
        }
        let path = try #require(marked, "no test photo was marked by the segmentation model")
        let prepared = try ImagePreparation.load(path, size: result.card.inputSize)
        let direct = try #require(result.model.inspect([prepared.resized])[0].markedSegmentation)

        try await withService(catalog) { server in
            let reply = try await server.call("POST", "/v1/inspection/seg/detect?mask=true", body: try Data(contentsOf: URL(fileURLWithPath: path)),
                                              contentType: "image/png")
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.json["IsAnomalous"] as? Bool == true)
            let anomalies = try #require(reply.json["Anomalies"] as? [[String: Any]])
            #expect(anomalies.map { $0["Name"] as? String } == ["background", "scratch", "spot"])
            let pixel = anomalies.map { $0["PixelAnomaly"] as? [String: Any] ?? [:] }
            #expect(pixel.map { $0["Color"] as? String } == [nil, "#FF0000", "#0080FF"])
            let areas = pixel.map { $0["TotalPercentageArea"] as? Double ?? -1 }
            // The served areas are the model's own segmentation of the photo.
            for (served, own) in zip(areas, direct.areas) { #expect(abs(served - own) < 1e-3, "areas \(areas) vs \(direct.areas)") }
            #expect(areas.dropFirst().reduce(0, +) > 0)

            // The mask: a PNG at the photo's size, each pixel black or a type's colour, with
            // each type's share of pixels close to its reported area (resized from the input size).
            let encoded = try #require(reply.json["AnomalyMask"] as? String)
            let mask = try Image(decoding: Array(try #require(Data(base64Encoded: encoded)))).converted(to: .rgb)
            #expect(mask.width == 160 && mask.height == 120)
            let colours: [[UInt8]] = [[0, 0, 0], [255, 0, 0], [0, 128, 255]]
            var counts = [Int](repeating: 0, count: 3), other = 0
            for i in 0..<(mask.width * mask.height) {
                if let c = colours.firstIndex(of: Array(mask.pixels[(i * 3)..<(i * 3 + 3)])) { counts[c] += 1 } else { other += 1 }
            }
            #expect(other == 0, "\(other) mask pixels are neither black nor a type's colour")
            for c in 1..<3 {
                #expect(abs(Double(counts[c]) / Double(160 * 120) - areas[c]) < 0.02, "type \(c): \(counts[c]) pixels, area \(areas[c])")
            }
        }
    }
}
