import Foundation
import Imaging
import Inspection
import Testing

/// `inspect train`'s report.html and baseline, `inspect evaluate --report-html`, and `inspect
/// monitor`'s exit statuses, run as a user runs them on generated photos.
@Suite(.serialized) struct MonitorCommandTests {
    let root = NSTemporaryDirectory() + "monitor-command-\(UUID().uuidString)"

    /// Capture lines for the photos, scored by the stored model as the server scores them.
    private func capture(_ photos: [String], model: StoredModel, version: Int? = nil, to folder: String, appending: Bool = false) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var lines: [String] = []
        BatchScorer.score(photos, model: model.model, keepOriginals: true) { i, row in
            guard case .success(let r) = row.result, let original = row.original, let size = row.photoSize else { return }
            let record = CaptureRecord(eventId: "e\(i)", route: "/v1/inspection/{model}/detect", time: Date(timeIntervalSince1970: 1_800_000_000 + Double(i)),
                                       status: 200, input: .init(observedContentType: "image/png", mode: "INPUT", bytes: 1),
                                       output: .init(observedContentType: "application/json", mode: "OUTPUT", data: "{}"),
                                       inspection: CapturedInspection(model: model.name, version: version ?? model.version, result: r,
                                                                      statistics: original.statistics(photoWidth: size.width, photoHeight: size.height)))
            if let data = try? JSONEncoder().encode(record) { lines.append(String(decoding: data, as: UTF8.self)) }
        }
        #expect(lines.count == photos.count)
        let path = folder + "/capture.jsonl"
        let earlier = appending ? (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" : ""
        try (earlier + lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func trainWritesTheReportAndBaselineAndMonitorJudgesCapturedTraffic() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let demo = try InspectBinary.run(["demo-data", root + "/demo", "--good", "40", "--bad", "6", "--test-good", "40", "--test-bad", "6",
                                          "--width", "128", "--height", "96"])
        try #require(demo.status == 0, Comment(rawValue: demo.stderr))
        let store = root + "/store"
        let train = try InspectBinary.run(["train", root + "/demo/train/good", root + "/demo/train/bad", "--name", "m", "--model-store", store,
                                           "--backbone", "texture-statistics-v1", "--input-size", "128"])
        try #require(train.status == 0, Comment(rawValue: train.stderr))
        #expect(train.stdout.contains("HTML report written to \(store)/m/v1/report.html"), "\(train.stdout)")
        let report = try String(contentsOfFile: store + "/m/v1/report.html", encoding: .utf8)
        for part in ["<svg", "ROC curve", "Precision-recall", "threshold", "data:image/png;base64,", "Confusion matrix"] {
            #expect(report.contains(part), "report.html lacks \(part)")
        }
        #expect(!report.contains("<script"))
        #expect(FileManager.default.fileExists(atPath: store + "/m/v1/baseline.json"))

        let evaluation = try InspectBinary.run(["evaluate", "--model", store + "/m", root + "/demo/test/good", root + "/demo/test/bad",
                                                "--csv", root + "/eval.csv", "--report-html", root + "/eval.html"])
        #expect(evaluation.status == 0, "\(evaluation.stderr)")
        let evaluated = try String(contentsOfFile: root + "/eval.html", encoding: .utf8)
        #expect(evaluated.contains("<svg") && evaluated.contains("40 good and 6 anomalous test images"))

        let defaults = try InspectBinary.run(["monitor", "--write-constraints", root + "/constraints.json"])
        #expect(defaults.status == 0)
        let constraints = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + "/constraints.json"))) as? [String: Any]
        #expect(constraints?["maxPSI"] as? Double == 0.25)

        let model = try ModelStore(root: store).load("m") { "" }
        let goods = try InspectionDataset.imagesIn(root + "/demo/test/good")
        try capture(goods, model: model, to: root + "/good")
        let quiet = try InspectBinary.run(["monitor", root + "/good", "--model", "m", "--model-store", store, "--json", root + "/good.json",
                                           "--html", root + "/good.html", "--constraints", root + "/constraints.json"])
        #expect(quiet.status == 0, "\(quiet.stdout)\(quiet.stderr)")
        #expect(quiet.stdout.contains("No constraint violated."), "\(quiet.stdout)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + "/good.json"))) as? [String: Any]
        #expect(json?["requests"] as? Int == 40)
        #expect(try String(contentsOfFile: root + "/good.html", encoding: .utf8).contains("No constraint violated."))

        // The same photos darkened: exit status 3, brightness named.
        try FileManager.default.createDirectory(atPath: root + "/dark-photos", withIntermediateDirectories: true)
        let dark = try goods.map { path in
            let image = try Image(contentsOfFile: path)
            let out = root + "/dark-photos/" + (path as NSString).lastPathComponent
            try Image(width: image.width, height: image.height, format: image.format, pixels: image.pixels.map { $0 / 2 }).write(to: out)
            return out
        }
        try capture(dark, model: model, to: root + "/dark")
        let moved = try InspectBinary.run(["monitor", root + "/dark", "--model", "m", "--model-store", store, "--html", root + "/dark.html"])
        #expect(moved.status == 3, "\(moved.stdout)\(moved.stderr)")
        #expect(moved.stdout.contains("brightness moved"), "\(moved.stdout)")

        // The darkened photos answered by another version: left out of v1's comparison, and said so.
        try capture(dark, model: model, version: 2, to: root + "/good", appending: true)
        let mixed = try InspectBinary.run(["monitor", root + "/good", "--model", "m", "--model-store", store, "--json", root + "/mixed.json",
                                           "--html", root + "/mixed.html", "--constraints", root + "/constraints.json"])
        #expect(mixed.status == 0, "\(mixed.stdout)\(mixed.stderr)")
        #expect(mixed.stdout.contains("40 requests answered by other versions of m left out (the baseline is v1's)."), "\(mixed.stdout)")
        let mixedJSON = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + "/mixed.json"))) as? [String: Any]
        #expect(mixedJSON?["requests"] as? Int == 40)

        // A broken line names the file and line (status 1); no baseline or no capture: status 2.
        try "\n{not json\n".write(toFile: root + "/dark/capture.jsonl", atomically: true, encoding: .utf8)
        let broken = try InspectBinary.run(["monitor", root + "/dark", "--model", "m", "--model-store", store, "--html", root + "/b.html"])
        #expect(broken.status == 1 && broken.stderr.contains("\(root)/dark/capture.jsonl line 2"), "\(broken.stderr)")
        let missing = try InspectBinary.run(["monitor", root + "/good", "--model", "absent", "--model-store", store])
        #expect(missing.status == 2, "\(missing.stderr)")
    }
}
