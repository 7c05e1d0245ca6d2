import DriftStatistics
import Foundation
import Imaging
import Testing
@testable import Inspection

/// A model trained on generated surfaces (80 good, 8 anomalous), held-back good photos of the
/// same generator, and captures built from them as the server writes them.
final class MonitoringFixture: @unchecked Sendable {
    static let shared = Result { try MonitoringFixture() }
    static let model = "surface"
    let root: String
    let result: TrainingResult
    let heldBackGood: [String]
    let heldBackBad: [String]

    private init() throws {
        root = NSTemporaryDirectory() + "inspection-monitoring-\(getpid())"
        let train = try SyntheticSurfaces.writeDataset(to: root + "/train", good: 80, defective: 8, width: 160, height: 120, seed: 5)
        let held = try SyntheticSurfaces.writeDataset(to: root + "/held", good: 80, defective: 12, width: 160, height: 120, seed: 6)
        var options = TrainingOptions()
        options.inputLongSide = 160
        options.supervisedHead = false
        result = try Trainer.train(try InspectionDataset.folders(good: train.good, bad: train.bad), extractor: TextureStatisticsExtractor(),
                                   options: options)
        heldBackGood = try InspectionDataset.imagesIn(held.good)
        heldBackBad = try InspectionDataset.imagesIn(held.bad)
    }

    /// The photos changed by `transform`, written as PNGs to a new folder.
    func transformed(_ paths: [String], _ name: String, _ transform: (Image) -> Image) throws -> [String] {
        let folder = root + "/" + name
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return try paths.map { path in
            let out = folder + "/" + (path as NSString).lastPathComponent
            try transform(try Image(contentsOfFile: path)).write(to: out)
            return out
        }
    }

    /// A capture folder with one record per photo, scored by the model as the server scores a
    /// request (decoded photo's statistics, the result's sketch), one second apart from `start`.
    func capture(_ paths: [String], into name: String, start: Date = Date(timeIntervalSince1970: 1_800_000_000)) throws -> (folder: String, ids: [String]) {
        let folder = root + "/captures-" + name
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var lines: [String] = [], ids: [String] = []
        var failure: String?
        BatchScorer.score(paths, model: result.model, keepOriginals: true) { i, row in
            guard case .success(let r) = row.result, let original = row.original, let size = row.photoSize else {
                failure = "\(paths[i]) could not be scored"
                return
            }
            let inspection = CapturedInspection(model: Self.model, version: nil, result: r,
                                                statistics: original.statistics(photoWidth: size.width, photoHeight: size.height))
            let id = "\(name)-\(i)"
            let record = CaptureRecord(eventId: id, route: "/v1/inspection/{model}/detect", time: start.addingTimeInterval(Double(i)),
                                       status: 200, input: .init(observedContentType: "image/png", mode: "INPUT", bytes: 1),
                                       output: .init(observedContentType: "application/json", mode: "OUTPUT", data: "{}"), inspection: inspection)
            if let data = try? JSONEncoder().encode(record) { lines.append(String(decoding: data, as: UTF8.self)) }
            ids.append(id)
        }
        if let failure { throw InspectionError("", failure) }
        try (lines.joined(separator: "\n") + "\n").write(toFile: folder + "/" + CaptureFiles.current, atomically: true, encoding: .utf8)
        return (folder, ids)
    }

    func analyse(_ folder: String, labels: [String: Bool]? = nil, window: Double = 3600) throws -> DriftReport {
        let files = try CaptureFiles.files(in: folder)
        let events = try CaptureFiles.events(in: files, model: Self.model)
        return DriftAnalysis.analyse(model: Self.model, baseline: result.baseline, events: events, captureFiles: files,
                                     constraints: DriftConstraints(), labels: labels, windowSeconds: window)
    }
}

@Suite(.serialized) struct MonitoringTests {
    @Test func baselineHoldsTheGoodTrainingPhotosAsDecoded() throws {
        let fixture = try MonitoringFixture.shared.get()
        let baseline = fixture.result.baseline
        #expect(baseline.photos.count == 80)
        #expect(baseline.goodScores.count == 80 && baseline.goodScores == baseline.goodScores.sorted())
        #expect(baseline.sketches.count == 80 && baseline.sketches.allSatisfy { $0.count == FeatureSketchParameters.defaultDimension })
        #expect(baseline.threshold == fixture.result.model.threshold)
        #expect(baseline.expectedAnomalyRate == fixture.result.thresholdReport.falseAlarmBound)
        // The statistics taken during training's decode are those of the photo files.
        let goods = try InspectionDataset.imagesIn(fixture.root + "/train/good")
        let direct = try goods.map { try Image(contentsOfFile: $0).statistics().brightness }.sorted()
        let stored = baseline.photos.map(\.brightness).sorted()
        #expect(zip(direct, stored).allSatisfy { abs($0 - $1) < 1e-9 }, "brightness of the good photos")
        #expect(baseline.photos.allSatisfy { $0.width == 160 && $0.height == 120 })

        // Saved beside model.json and read back; a bundle without it still loads.
        let dir = fixture.root + "/bundle"
        try ModelBundle.save(fixture.result.model, card: fixture.result.card, baseline: baseline, to: dir)
        #expect(try ModelBundle.readBaseline(dir) == baseline)
        try FileManager.default.removeItem(atPath: dir + "/" + MonitoringBaseline.file)
        #expect(try ModelBundle.readBaseline(dir) == nil)
        _ = try ModelBundle.load(dir, extractor: TextureStatisticsExtractor())
    }

    @Test func heldBackGoodTrafficViolatesNothing() throws {
        let fixture = try MonitoringFixture.shared.get()
        let report = try fixture.analyse(try fixture.capture(fixture.heldBackGood, into: "good").folder)
        #expect(report.requests == 80 && report.judged)
        #expect(report.violations.isEmpty, "\(report.violations.map(\.message))")
        #expect(report.statistics.map(\.statistic) == MonitoredStatistic.allCases)
        for s in report.statistics { #expect(s.psi.index < 0.25, "\(s.statistic): PSI \(s.psi.index)") }
        #expect((report.featureDrift?.mmd.pValue ?? 0) > 0.01)
    }

    @Test func darkenedBlurredAndResizedTrafficIsFlaggedByTheStatisticThatMoved() throws {
        let fixture = try MonitoringFixture.shared.get()
        let darkened = try fixture.transformed(fixture.heldBackGood, "dark") { image in
            Image(width: image.width, height: image.height, format: image.format, pixels: image.pixels.map { UInt8(Double($0) * 0.6) })
        }
        let blurred = try fixture.transformed(fixture.heldBackGood, "blurred") { image in
            image.resized(width: image.width / 4, height: image.height / 4).resized(width: image.width, height: image.height)
        }
        let resized = try fixture.transformed(fixture.heldBackGood, "resized") { image in image.resized(width: 240, height: 180) }
        let dark = try fixture.analyse(try fixture.capture(darkened, into: "dark").folder)
        #expect(dark.movedStatistics.contains("brightness"), "\(dark.violations.map(\.message))")
        #expect(!dark.movedStatistics.contains("width") && !dark.movedStatistics.contains("height"))
        let blur = try fixture.analyse(try fixture.capture(blurred, into: "blurred").folder)
        #expect(blur.movedStatistics.contains("sharpness"), "\(blur.violations.map(\.message))")
        #expect(!blur.movedStatistics.contains("width"))
        let big = try fixture.analyse(try fixture.capture(resized, into: "resized").folder)
        #expect(big.movedStatistics.contains("width") && big.movedStatistics.contains("height"), "\(big.violations.map(\.message))")
        #expect(big.violations.contains { $0.message.hasPrefix("width moved") })
    }

    @Test func groundTruthGivesQualityPerWindow() throws {
        let fixture = try MonitoringFixture.shared.get()
        let photos = fixture.heldBackGood.prefix(40) + fixture.heldBackBad
        let (folder, ids) = try fixture.capture(Array(photos), into: "labelled")
        // Truth: the first 40 good, the rest anomalous; one label for an event never captured.
        var text = ids.enumerated().map { "{\"eventId\": \"\($0.element)\", \"label\": \"\($0.offset < 40 ? "good" : "anomalous")\"}" }
        text.append("{\"eventId\": \"elsewhere\", \"label\": \"good\"}")
        let labelsPath = fixture.root + "/labels.jsonl"
        try text.joined(separator: "\n").write(toFile: labelsPath, atomically: true, encoding: .utf8)
        let labels = try GroundTruthLabels.read(labelsPath)
        // 52 events one second apart in windows of 30 s: two windows.
        let report = try fixture.analyse(folder, labels: labels, window: 30)
        let quality = try #require(report.quality)
        #expect(quality.unmatchedLabels == 1)
        #expect(quality.windows.reduce(0) { $0 + $1.labelled } == 52)
        #expect(quality.windows.count == 2)
        // Each window's figures are those of its events' verdicts against the truth.
        let files = try CaptureFiles.files(in: folder)
        let events = try CaptureFiles.events(in: files, model: MonitoringFixture.model)
        let first = events.filter { $0.time.timeIntervalSince1970 < 1_800_000_030 }
        let confusion = ConfusionMatrix(scores: first.map { $0.inspection.isAnomalous ? 1.0 : 0.0 }, labels: first.map { labels[$0.eventId] ?? false },
                                        threshold: 0.5)
        #expect(quality.windows[0].confusion == confusion)
        #expect(quality.baseline?.f1 == fixture.result.baseline.quality?.f1)
    }

    @Test func badLinesAreNamedByFileAndLine() throws {
        let fixture = try MonitoringFixture.shared.get()
        let folder = fixture.root + "/broken"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/" + CaptureFiles.current
        try "{\"captureData\": 1}\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: InspectionError.self) { try CaptureFiles.events(in: [path], model: "x") }
        do {
            _ = try CaptureFiles.events(in: [path], model: "x")
        } catch {
            #expect(error.source == "\(path) line 1", "\(error)")
        }
        let labels = folder + "/labels.jsonl"
        try "{\"eventId\": \"a\", \"label\": \"good\"}\n{\"eventId\": \"b\", \"label\": \"broken\"}\n".write(toFile: labels, atomically: true, encoding: .utf8)
        do {
            _ = try GroundTruthLabels.read(labels)
            Issue.record("a bad label was accepted")
        } catch {
            #expect(error.source == "\(labels) line 2" && error.reason.contains("good"), "\(error)")
        }
        let constraints = folder + "/constraints.json"
        try "{\"maxPSI\": \"high\"}".write(toFile: constraints, atomically: true, encoding: .utf8)
        do {
            _ = try DriftConstraints.read(constraints)
            Issue.record("a bad constraint was accepted")
        } catch {
            #expect(error.source == constraints && error.reason.contains("maxPSI"), "\(error)")
        }
        // Defaults written and read back; a field left out keeps its default.
        try "{\"maxPSI\": 0.5}".write(toFile: constraints, atomically: true, encoding: .utf8)
        var expected = DriftConstraints()
        expected.maxPSI = 0.5
        #expect(try DriftConstraints.read(constraints) == expected)
        #expect(try JSONDecoder().decode(DriftConstraints.self, from: DriftConstraints.defaultsJSON()) == DriftConstraints())
    }

    @Test func rolledCaptureFilesAreReadOldestFirst() throws {
        let name = CaptureFiles.rolledName(at: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(name == "capture-20270115T080000.jsonl")
        let folder = NSTemporaryDirectory() + "capture-files-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for file in ["capture.jsonl", "capture-20270115T090000.jsonl", name, "other.jsonl"] {
            _ = FileManager.default.createFile(atPath: folder + "/" + file, contents: Data())
        }
        #expect(try CaptureFiles.files(in: folder).map { ($0 as NSString).lastPathComponent }
                == [name, "capture-20270115T090000.jsonl", "capture.jsonl"])
    }
}
