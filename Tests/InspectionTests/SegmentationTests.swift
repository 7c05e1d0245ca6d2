import Foundation
import Imaging
import InspectionTestSupport
import Networks
import SeededRandom
import Tensors
import Testing
@testable import Inspection

/// Segmentation from masks: colour decoding, the mask's geometry under augmentation, the head
/// overfitting one photo, and training, scoring and saving a two-type model on generated
/// surfaces (texture extractor).
@Suite(.serialized) struct SegmentationTests {
    static var lookoutColorMap: [String: Any] { [
        "0": ["class-name": "BACKGROUND", "hex-color": "#ffffff"],
        "1": ["class-name": "cracked", "hex-color": "#23A436"],
        "2": ["class-name": "scratch", "hex-color": "#FF0000"],
    ] }

    /// A 6x2 RGB mask: white background, a green (cracked) and a red (scratch) pixel, and
    /// `odd` at (5, 1).
    static func mask(odd: (UInt8, UInt8, UInt8) = (255, 255, 255)) -> Image {
        var pixels = [UInt8](repeating: 255, count: 6 * 2 * 3)
        func set(_ x: Int, _ y: Int, _ c: (UInt8, UInt8, UInt8)) {
            pixels[(y * 6 + x) * 3] = c.0
            pixels[(y * 6 + x) * 3 + 1] = c.1
            pixels[(y * 6 + x) * 3 + 2] = c.2
        }
        set(1, 0, (0x23, 0xA4, 0x36))
        set(3, 1, (255, 0, 0))
        set(5, 1, odd)
        return Image(width: 6, height: 2, format: .rgb, pixels: pixels)
    }

    @Test func masksDecodeByColour() throws {
        let labels = try SegmentationLabels.fromColorMap(Self.lookoutColorMap, at: "manifest line 1")
        #expect(labels.labels == [SegmentationLabel(name: "cracked", color: "#23A436"), SegmentationLabel(name: "scratch", color: "#FF0000")])
        #expect(labels.backgroundColor == "#FFFFFF")
        let decoded = try LabelMask.decode(Self.mask(), path: "m.png", photo: "p.jpg", labels: labels)
        #expect(decoded.classes == [0, 1, 0, 0, 0, 0,
                                    0, 0, 0, 2, 0, 0])
        // The simple form names to colours gives the same types (in name order).
        let simple = try SegmentationLabels.fromColorMap(["scratch": "#ff0000", "cracked": "#23a436"], at: "colors.json")
        #expect(simple.labels.map(\.name) == ["cracked", "scratch"])
        #expect(simple.backgroundColor == "#000000")
    }

    @Test func aColourNotInTheMapIsRefusedNamingThePhoto() throws {
        let labels = try SegmentationLabels.fromColorMap(Self.lookoutColorMap, at: "manifest line 1")
        #expect { try LabelMask.decode(Self.mask(odd: (0, 0, 255)), path: "masks/12.png", photo: "photos/12.jpg", labels: labels) } throws: {
            let text = "\($0)"
            return text.contains("masks/12.png") && text.contains("photos/12.jpg") && text.contains("#0000FF") && text.contains("x=5, y=1")
        }
        // Two classes of one colour, and a colour that is no colour, are refused too.
        #expect(throws: InspectionError.self) { try SegmentationLabels.fromColorMap(["a": "#FF0000", "b": "#ff0000"], at: "c.json") }
        #expect(throws: InspectionError.self) { try SegmentationLabels.fromColorMap(["a": "red"], at: "c.json") }
    }

    @Test func manifestColourMapsAreReadAndMerged() throws {
        let folder = NSTemporaryDirectory() + "segmentation-manifest-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let lines = """
            {"source-ref": "a.png", "anomaly-label": 1, "anomaly-mask-ref": "a-mask.png", "anomaly-mask-ref-metadata": {"internal-color-map": {"0": {"class-name": "BACKGROUND", "hex-color": "#000000"}, "1": {"class-name": "dent", "hex-color": "#00FF00"}}}}
            {"source-ref": "b.png", "anomaly-label": 1, "anomaly-mask-ref": "b-mask.png", "anomaly-mask-ref-metadata": {"internal-color-map": {"0": {"class-name": "BACKGROUND", "hex-color": "#000000"}, "1": {"class-name": "hole", "hex-color": "#0000FF"}}}}
            {"source-ref": "c.png", "anomaly-label": 0}
            """
        try Data(lines.utf8).write(to: URL(fileURLWithPath: folder + "/m.jsonl"))
        let data = try InspectionDataset.manifest(folder + "/m.jsonl")
        #expect(data.maskLabels?.labels.map(\.name) == ["dent", "hole"])
        #expect(data.hasMasks)
        let clash = lines.replacingOccurrences(of: "\"hole\", \"hex-color\": \"#0000FF\"", with: "\"hole\", \"hex-color\": \"#00FF00\"")
        try Data(clash.utf8).write(to: URL(fileURLWithPath: folder + "/clash.jsonl"))
        #expect { try InspectionDataset.manifest(folder + "/clash.jsonl") } throws: { "\($0)".contains("line 2") && "\($0)".contains("dent") }
    }

    /// A grey photo with a bright bar in its upper-left quarter, and the bar's mask.
    static func photoWithBar() -> (photo: Image, mask: LabelMask) {
        let (w, h) = (96, 64)
        var pixels = [UInt8](repeating: 90, count: w * h * 3), classes = [UInt8](repeating: 0, count: w * h)
        for y in 8..<20 { for x in 10..<40 { classes[y * w + x] = 1; for c in 0..<3 { pixels[(y * w + x) * 3 + c] = 250 } } }
        return (Image(width: w, height: h, format: .rgb, pixels: pixels), LabelMask(width: w, height: h, classes: classes))
    }

    @Test func aFlippedPhotoFlipsItsMask() throws {
        let (photo, mask) = Self.photoWithBar()
        let size = InputSize(width: 96, height: 64)
        let flip = AugmentationDraw(cropX: 0, cropY: 0, cropWidth: 96, cropHeight: 64, rotationDegrees: 0, flipHorizontally: true,
                                    flipVertically: false, brightness: 1, contrast: 1, saturation: 1)
        let flippedMask = LabelMask.fromCoverage(mask.classImages(classCount: 2).map { flip.geometry($0, size: size) }, width: 96, height: 64)
        // The bar is now in the upper-right quarter: x 56..<86.
        #expect(flippedMask.classes[10 * 96 + 60] == 1 && flippedMask.classes[10 * 96 + 20] == 0)
        #expect(flippedMask.classes.count { $0 == 1 } == mask.classes.count { $0 == 1 })
        // Under random draws (crop, rotation, flips), the photo's bright pixels stay where its
        // mask says: the variant the head sees and the targets come from one draw.
        var augmentation = PhotoAugmentation()
        augmentation.jitter = 0
        for seed in UInt64(1)...8 {
            var rng = SeededGenerator(seed: seed), replay = SeededGenerator(seed: seed)
            let variant = augmentation.variant(of: photo, size: size, using: &rng)
            let draw = augmentation.draw(width: photo.width, height: photo.height, using: &replay)
            let moved = LabelMask.fromCoverage(mask.classImages(classCount: 2).map { draw.geometry($0, size: size) }, width: 96, height: 64)
            var agree = 0
            for i in 0..<(96 * 64) where (variant.pixels[i * 3] >= 170) == (moved.classes[i] == 1) { agree += 1 }
            #expect(Double(agree) / Double(96 * 64) > 0.99, "seed \(seed): \(agree) of \(96 * 64) pixels agree")
        }
    }

    @Test func theHeadOverfitsOnePhoto() throws {
        // A spot (odd seed) on a generated surface, at a size the texture extractor takes. The
        // head must be able to learn the labels it is given: each stride-4 cell of this one
        // photo is a defect when the mask covers at least half of it (hard labels, so the
        // check is the head's fit, not the coin toss of half-covered cells at a blob's rim).
        let (width, height) = (320, 256)
        let sample = SyntheticSurfaces.defective(width: width, height: height, seed: 11)
        let mask = try LabelMask.decode(try #require(sample.mask), path: "mask", photo: "photo", labels: .white)
        let size = InputSize(width: width, height: height)
        let extracted = PatchGrid.extractWithMaps([sample.image], with: TextureStatisticsExtractor(), deep: false, stride4: true)[0]
        let cells = SegmentationFeatures.cells(stride4: try #require(extracted.stride4), grid: extracted.grid)
        let (cellCount, dimension) = (cells.shape[1] * cells.shape[2], cells.shape[3])
        #expect(cells.shape[1] == height / 4 && cells.shape[2] == width / 4)
        var targets = PatchTargets.asScored(mask, size: size, classCount: 2)
        #expect(targets.count == cellCount * 2)
        for i in 0..<cellCount {
            let defect: Float = targets[i * 2 + 1] >= 0.5 ? 1 : 0
            (targets[i * 2], targets[i * 2 + 1]) = (1 - defect, defect)
        }
        var samples = SegmentationSamples(dimension: dimension, classCount: 2)
        var rng = SeededGenerator(seed: 1)
        samples.add(patches: cells.data, targets: targets, photo: 0, backgroundShare: 1, rng: &rng)
        var options = SegmentationOptions()
        options.epochs = 300
        options.batchSize = 64
        let head = SegmentationTrainer.train(samples, rows: Array(0..<samples.count), options: options, seed: 3)
        let p = head.probabilities(Tensor(shape: [cellCount, dimension], data: Array(UnsafeBufferPointer(start: cells.data, count: cells.count))))
        var both = 0, union = 0
        for i in 0..<cellCount {
            let predicted = p.data[i * 2 + 1] > p.data[i * 2], truth = targets[i * 2 + 1] == 1
            if predicted && truth { both += 1 }
            if predicted || truth { union += 1 }
        }
        #expect(union > 0)
        let iou = Double(both) / Double(max(union, 1))
        #expect(iou > 0.9, "one-photo IoU \(iou) over the stride-4 cells (\(union) cells marked or true)")
    }

    @Test func eachTypeGetsItsOwnPixelThreshold() throws {
        // 16 pixels in a row (background probability, first type, second type): the first
        // type's 4 true pixels are sure (0.9) beside 4 background pixels it half-believes (0.3);
        // the second type's 4 true pixels are faint (0.18, as a thin scratch) beside 4 fainter
        // background ones (0.08). No one threshold serves both; one per type marks exactly the
        // true pixels.
        let labels = SyntheticSurfaces.defectLabels
        var rows: [[Float]] = [], truth: [UInt8] = []
        for _ in 0..<4 { rows.append([0.1, 0.9, 0]); truth.append(1) }
        for _ in 0..<4 { rows.append([0.82, 0, 0.18]); truth.append(2) }
        for _ in 0..<4 { rows.append([0.7, 0.3, 0]); truth.append(0) }
        for _ in 0..<4 { rows.append([0.92, 0, 0.08]); truth.append(0) }
        let heldOut = SegmentationFitting.HeldOut(probabilities: Tensor(shape: [1, 1, 16, 3], data: rows.flatMap { $0 }),
                                                  memoryMap: AnomalyMap(width: 16, height: 1, values: [Float](repeating: 0, count: 16)),
                                                  truth: LabelMask(width: 16, height: 1, classes: truth))
        let options = SegmentationOptions()
        let fusion = try SegmentationFitting.bestFusion([heldOut], cutOff: 1, labels: labels, options: options)
        #expect(fusion.thresholds.count == 2)
        // The lowest grid thresholds that separate each type's true pixels from its false ones.
        #expect(abs(fusion.thresholds[0] - 0.35) < 1e-6 && abs(fusion.thresholds[1] - 0.10) < 1e-6, "thresholds \(fusion.thresholds)")
        #expect(abs(fusion.iou - 1) < 1e-12, "mean IoU \(fusion.iou)")
        // One threshold for both types does worse: at best the first type's false pixels
        // come with the second type's true ones (mean IoU (0.5 + 1) / 2).
        let outcome = SegmentationModel.cut(heldOut.probabilities, memoryMap: heldOut.memoryMap, memoryCutOff: 1, memoryWeight: 0,
                                            pixelThresholds: [0, 0], labels: labels)
        let shared = options.pixelThresholds.map {
            SegmentationFitting.typeCounts([outcome], [heldOut.truth], threshold: $0, classCount: labels.classCount).meanIoU
        }
        #expect(abs((shared.max() ?? 0) - 0.75) < 1e-12, "best mean IoU with one threshold \(shared.max() ?? 0)")
        // The model marks with each type's threshold.
        let marked = SegmentationModel.cut(heldOut.probabilities, memoryMap: heldOut.memoryMap, memoryCutOff: 1, memoryWeight: 0,
                                           pixelThresholds: fusion.thresholds, labels: labels)
        #expect(marked.classes == truth)
    }

    @Test func twoTypesTrainScoreAndSave() throws {
        let fixture = try TwoTypeSegmentationFixture(name: "segmentation-tests", testGood: 2, testDefective: 4)
        defer { fixture.remove() }
        let (result, data, extractor, test) = (fixture.result, fixture.data, fixture.extractor, fixture.test)
        var options = fixture.options
        #expect(data.maskLabels == SyntheticSurfaces.defectLabels)
        let card = try #require(result.card.segmentation)
        #expect(card.labels.labels.map(\.name) == ["scratch", "spot"])
        let report = try #require(result.segmentation)
        #expect(report.labels.count == 2 && report.photos > 0)
        // The weak texture extractor at 160 px; EfficientNet-Lite0 figures: docs/SEGMENTATION.md.
        #expect((report.meanIoU ?? 0) > 0.08, "out-of-fold mean IoU \(report.meanIoU ?? -1)")
        // The training report page shows these figures per type beside the mean.
        let page = EvaluationReportPage(title: "t", facts: [], report: EvaluationReport(scores: [1, 2], labels: [false, true], threshold: 1.5),
                                        evaluatedOn: "x", scored: [], highestGood: [], lowestAnomalous: [], segmentation: report).html()
        #expect(page.contains("Segmentation on \(report.measuredOn)"))
        for label in report.labels {
            let row = "<td>\(label.name)</td>"
            #expect(page.contains(row), "no row for \(label.name)")
            #expect(page.contains(String(format: "%.3f", label.iou ?? -1)) && page.contains(String(format: "%.3f", label.f1 ?? -1)))
        }
        #expect(page.contains(String(format: "%.3f", report.meanIoU ?? -1)))

        // Scoring answers in Lookout's segmentation shape, and the saved model answers the same.
        let bundle = fixture.root + "/model"
        try ModelBundle.save(result.model, card: result.card, to: bundle)
        let (loaded, _) = try ModelBundle.load(bundle, extractor: extractor)
        let photo = try ImagePreparation.load(try InspectionDataset.imagesIn(test.bad)[1], size: result.card.inputSize)
        let r = result.model.inspect([photo.resized])[0], again = loaded.inspect([photo.resized])[0]
        #expect(r.segmentation == again.segmentation)
        #expect(loaded.segmentation?.pixelThresholds == result.model.segmentation?.pixelThresholds)

        // A card with one pixelThreshold (written before per-type thresholds) loads with every
        // type at it; per-type thresholds that do not match the types are refused, naming the field.
        let cardPath = bundle + "/" + ModelBundle.cardFile
        let saved = try Data(contentsOf: URL(fileURLWithPath: cardPath))
        func loadWithSegmentation(_ edit: (inout [String: Any]) -> Void) throws -> InspectionModel {
            var card = try #require(try JSONSerialization.jsonObject(with: saved) as? [String: Any])
            var segmentation = try #require(card["segmentation"] as? [String: Any])
            edit(&segmentation)
            card["segmentation"] = segmentation
            try JSONSerialization.data(withJSONObject: card).write(to: URL(fileURLWithPath: cardPath))
            return try ModelBundle.load(bundle, extractor: extractor).model
        }
        let older = try loadWithSegmentation { $0["pixelThresholds"] = nil; $0["pixelThreshold"] = 0.3 }
        #expect(older.segmentation?.pixelThresholds == [0.3, 0.3])
        #expect { try loadWithSegmentation { $0["pixelThresholds"] = [0.3] } } throws: { "\($0)".contains("pixelThresholds") }
        try saved.write(to: URL(fileURLWithPath: cardPath))
        try refinementRoundTrip(result, photo: photo.resized, extractor: extractor, folder: fixture.root + "/model-refined")
        let answer = DetectAnomaliesResult(r, mask: try r.maskPNG(size: photo.photoSize))
        #expect(answer.Anomalies.map(\.Name) == ["background", "scratch", "spot"])
        #expect(answer.Anomalies.map(\.PixelAnomaly.Color) == [nil, "#FF0000", "#0080FF"])
        let total = answer.Anomalies.reduce(0) { $0 + $1.PixelAnomaly.TotalPercentageArea }
        #expect(abs(total - 1) < 0.003)
        let mask = r.maskImage(size: photo.photoSize)
        #expect(mask.width == photo.photoSize.width && mask.height == photo.photoSize.height)
        let allowed: Set<[UInt8]> = [[0, 0, 0], [255, 0, 0], [0, 128, 255]]
        #expect((0..<(mask.width * mask.height)).allSatisfy { allowed.contains(Array(mask.pixels[($0 * 3)..<($0 * 3 + 3)])) })
        if !r.isAnomalous { #expect(r.anomalousArea == 0) }

        // The same photos give the same model bytes, on 1 thread as on the default 2.
        options.threads = 1
        let again1 = try Trainer.train(data, extractor: extractor, options: options)
        try ModelBundle.save(again1.model, card: again1.card, to: fixture.root + "/model-1-thread")
        let weights = { (folder: String) throws -> Data in try Data(contentsOf: URL(fileURLWithPath: folder + "/weights.safetensors")) }
        #expect(try weights(bundle) == weights(fixture.root + "/model-1-thread"), "the segmentation model's weights differ between two trainings")
    }

    /// The model with a pixel refinement (`PixelRefinement`, seeded weights) saves and loads
    /// to the same answers; its card without `refinement` (written before it existed) loads
    /// as the head alone; a refinement reading other features is refused, naming the field.
    func refinementRoundTrip(_ result: TrainingResult, photo: Image, extractor: TextureStatisticsExtractor, folder: String) throws {
        let m = result.model, segmentation = try #require(result.model.segmentation)
        let f = PixelRefinement.featureCount
        let refinement = PixelRefinement(network: PatchSegmentationHead(featureMean: [Float](repeating: 0, count: f), featureStd: [Float](repeating: 1, count: f),
                                                                        hidden: PixelRefinement.hiddenUnits, classes: 2, seed: 9))
        func model(_ refinement: PixelRefinement?) -> InspectionModel {
            InspectionModel(extractor: m.extractor, memory: m.memory, inputSize: m.inputSize, calibration: m.calibration,
                            stride8Weight: m.stride8Weight, threshold: m.threshold, head: m.head, mapCutOff: m.mapCutOff,
                            confidence: m.confidenceCalibration,
                            segmentation: SegmentationModel(head: segmentation.head, labels: segmentation.labels, memoryWeight: segmentation.memoryWeight,
                                                            pixelThresholds: segmentation.pixelThresholds, refinement: refinement))
        }
        let refined = model(refinement)
        var card = result.card
        card.segmentation?.refinement = .init(inputs: f, hiddenUnits: PixelRefinement.hiddenUnits, contrastSigmas: PhotoContrast.sigmas,
                                              lineSigmas: PhotoContrast.lineSigmas)
        try ModelBundle.save(refined, card: card, to: folder)
        let loaded = try ModelBundle.load(folder, extractor: extractor).model
        #expect(loaded.segmentation?.refinement?.network.namedTensors.map(\.tensor.scalars) == refinement.network.namedTensors.map(\.tensor.scalars))
        let answer = refined.inspect([photo])[0], plain = model(nil).inspect([photo])[0]
        #expect(loaded.inspect([photo])[0].segmentation == answer.segmentation)
        #expect(answer.segmentation?.anomaly != plain.segmentation?.anomaly, "the refinement changed no pixel's score")
        let cardPath = folder + "/" + ModelBundle.cardFile
        let saved = try Data(contentsOf: URL(fileURLWithPath: cardPath))
        func loadWithRefinement(_ value: Any?) throws -> InspectionModel {
            var card = try #require(try JSONSerialization.jsonObject(with: saved) as? [String: Any])
            var segmentation = try #require(card["segmentation"] as? [String: Any])
            segmentation["refinement"] = value
            card["segmentation"] = segmentation
            try JSONSerialization.data(withJSONObject: card).write(to: URL(fileURLWithPath: cardPath))
            return try ModelBundle.load(folder, extractor: extractor).model
        }
        let older = try loadWithRefinement(nil)
        #expect(older.segmentation?.refinement == nil)
        #expect(older.inspect([photo])[0].segmentation == plain.segmentation)
        #expect { try loadWithRefinement(["inputs": f + 1, "hiddenUnits": PixelRefinement.hiddenUnits, "contrastSigmas": PhotoContrast.sigmas,
                                          "lineSigmas": PhotoContrast.lineSigmas]) }
            throws: { "\($0)".contains("segmentation.refinement") }
    }
}
