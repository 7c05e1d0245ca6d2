import ArgumentParser
import Foundation
import Inspection
import Tensors
import WorkerThreads

/// `inspect train GOOD_DIR [BAD_DIR]`: learn what good looks like, choose a threshold,
/// report honest metrics, write a model bundle.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train an inspection model from a folder of good images (and optionally one of anomalous ones).",
        discussion: """
            The model remembers the patches of good images (PatchCore normal-patch memory over \
            EfficientNet-Lite0 features) and scores a photo by how far its most unusual patch is \
            from anything seen on good items. With anomalous images (at least 2), it also \
            fine-tunes the network's last 1x1 convolution with a small head on good vs anomalous \
            (augmented photos, balanced batches, early stopping by cross-validation) and fuses \
            the head's score with the memory's; the fusion weight and the threshold are chosen \
            on out-of-fold scores of the training images, and when the fused score decides worse \
            than the memory or the head alone in nested cross-validation, that part is saved \
            instead. With good images only, the score is the memory's and the threshold the \
            lowest whose false-alarm rate on new good photos is at most 5% (a conformal bound on \
            the good images' out-of-fold scores; --max-false-alarm-rate). The memory keeps a greedy \
            coreset of 10% of the training patches (--coreset), at most --max-memory-patches; \
            out-of-fold scores come from that one coreset with each fold's photos taken out. \
            Without --test-good/--test-bad, 20% of each class is held back (seeded) for the report, \
            then the saved model is retrained on all images (--no-holdout-report skips the report). \
            Progress goes to stderr (in a log, one line every few seconds with the estimated time \
            left). Each run adds a new version of the model, STORE/NAME/vN/ (see --model-store and \
            `inspect models`); the promoted version, if any, stays the one `--model NAME` uses.
            """
    )

    @Argument(help: "Folder of good (normal) images, searched recursively.")
    var goodDir: String?

    @Argument(help: "Folder of anomalous images (optional).")
    var badDir: String?

    @Option(help: "Model name (the folder under the model store); each run adds a version.")
    var name = "default"

    @Option(name: .customLong("test-good"), help: "Folder of good test images for the report (with --test-bad).")
    var testGood: String?

    @Option(name: .customLong("test-bad"), help: "Folder of anomalous test images for the report (with --test-good).")
    var testBad: String?

    @Option(help: "Lookout for Vision / SageMaker Ground Truth JSON-lines manifest (source-ref, anomaly-label) instead of folders.")
    var manifest: String?

    @Option(help: "Folder of masks of the anomalous images (PNG, matched by name: 12.png or 12_mask.png for 12.jpg): learn segmentation too.")
    var masks: String?

    @Option(name: .customLong("mask-colors"),
            help: "JSON colour map of the masks' defect types ({\"scratch\": \"#FF0000\", ...} or Lookout's internal-color-map); without it masks are white on black.")
    var maskColors: String?

    @Option(name: .customLong("target-recall"), help: "Choose the highest threshold that still catches this share of anomalies (0-1).")
    var targetRecall: Double?

    @Option(name: .customLong("target-precision"), help: "Choose the lowest threshold whose alarms are right at least this often (0-1).")
    var targetPrecision: Double?

    @Option(name: .customLong("max-false-alarm-rate"), help: "Choose the lowest threshold that flags a good photo at most this often (0-1; a conformal bound on the good photos' out-of-fold scores). Good-only training uses \(ThresholdPolicy.defaultFalseAlarmRate) unless set.")
    var maxFalseAlarmRate: Double?

    @Option(help: "With anomalous images: what the model decides with, auto (nested cross-validation picks the fused score or the better of its parts), fused, memory or head.")
    var scoring = "auto"

    @Option(help: "Seed of the hold-out split, folds and coreset.")
    var seed: UInt64 = 42

    @Option(help: "Feature extractor: \(Backbones.names.joined(separator: " or ")).")
    var backbone = Backbones.defaultName

    @Option(name: .customLong("input-size"), help: "Longer side of the model's input in pixels (multiple of 32).")
    var inputSize = 320

    @Option(name: .customLong("coreset"), help: "Share of training patches kept in the memory (0-1), up to --max-memory-patches.")
    var coresetFraction = 0.1

    @Option(name: .customLong("max-memory-patches"),
            help: "Most patches the memory keeps, however many photos it learns from (scoring time grows with it).")
    var maxMemoryPatches = PatchMemory.defaultMaximumSize

    @Option(name: .customLong("coreset-selection"),
            help: "How the memory's patches are chosen: exact (greedy over every patch on full features), two-stage (per-photo candidates on a 64-long projection, then one greedy selection; for large training sets), or auto: exact up to \(CoresetSelection.exactPatchBudget) good training patches (about 20 photos), two-stage above.")
    var coresetSelection = CoresetSelection.automatic

    @Flag(name: .customLong("no-holdout-report"),
          help: "Without --test-good/--test-bad: train only the final model, with no report on held-back images (faster).")
    var noHoldoutReport = false

    @Option(name: .customLong("report-html"), help: "Where to write the HTML report (default: report.html in the model folder).")
    var reportHTML: String?

    @Flag(name: .customLong("skip-unreadable"), help: "Train on the readable images when some cannot be read; the skipped ones are listed and recorded in model.json.")
    var skipUnreadable = false

    @OptionGroup var modelStore: ModelStoreOption

    @OptionGroup var models: ModelsOption

    @OptionGroup var threads: ThreadsOption

    func validate() throws {
        if manifest == nil && goodDir == nil { throw ValidationError("give GOOD_DIR [BAD_DIR] or --manifest FILE") }
        if manifest != nil && goodDir != nil { throw ValidationError("give either folders or --manifest, not both") }
        if (testGood == nil) != (testBad == nil) { throw ValidationError("--test-good and --test-bad go together") }
        if masks != nil && manifest != nil { throw ValidationError("--masks goes with folders; a manifest names its masks (anomaly-mask-ref)") }
        if masks != nil && badDir == nil { throw ValidationError("--masks needs BAD_DIR (the masks belong to the anomalous images)") }
        if [targetRecall, targetPrecision, maxFalseAlarmRate].count(where: { $0 != nil }) > 1 {
            throw ValidationError("give one of --target-recall, --target-precision and --max-false-alarm-rate")
        }
        for (flag, v) in [("--target-recall", targetRecall), ("--target-precision", targetPrecision), ("--max-false-alarm-rate", maxFalseAlarmRate)] {
            if let v, !(v > 0 && v <= 1) { throw ValidationError("\(flag) must be in (0, 1], got \(v)") }
        }
        guard Self.scoringParts[scoring] != nil else {
            throw ValidationError("--scoring must be one of \(Self.scoringParts.keys.sorted().joined(separator: ", ")), got \(scoring)")
        }
        guard coresetFraction > 0 && coresetFraction <= 1 else { throw ValidationError("--coreset must be in (0, 1]") }
        guard maxMemoryPatches >= PatchMemory.minimumSize else {
            throw ValidationError("--max-memory-patches must be at least \(PatchMemory.minimumSize)")
        }
        guard inputSize >= 64 && inputSize <= 1024 else { throw ValidationError("--input-size must be between 64 and 1024") }
        guard !name.isEmpty, !name.contains("/"), !name.contains("@"), !name.hasPrefix(".") else {
            throw ValidationError("--name must be a plain folder name (no '/' or '@', not starting with '.')")
        }
    }

    /// `--scoring` values: nil lets the nested cross-validation decide.
    static let scoringParts: [String: ScoringPart?] = ["auto": nil, "fused": .fused, "memory": .memory, "head": .head]

    func run() throws {
        try exitingOnInspectionError(train)
    }

    private func train() throws {
        var dataset = try manifest.map { try InspectionDataset.manifest($0) }
            ?? InspectionDataset.folders(good: goodDir ?? "", bad: badDir, masks: masks)
        if let maskColors { dataset.maskLabels = try SegmentationLabels.fromFile(maskColors) }
        let test = try testGood.map { try InspectionDataset.folders(good: $0, bad: testBad) }
        let extractor = try Backbones.load(backbone) { try models.directory().path }
        var options = TrainingOptions()
        options.seed = seed
        options.coresetFraction = coresetFraction
        options.maxMemoryPatches = maxMemoryPatches
        options.coresetSelection = coresetSelection
        options.holdOutReport = !noHoldoutReport
        options.inputLongSide = inputSize
        options.threads = threads.count
        options.skipUnreadable = skipUnreadable
        options.scoring = Self.scoringParts[scoring] ?? nil
        WorkerPool.shared.threads = threads.count
        if let targetRecall { options.policy = .targetRecall(targetRecall) }
        if let targetPrecision { options.policy = .targetPrecision(targetPrecision) }
        if let maxFalseAlarmRate { options.policy = .maxFalseAlarmRate(maxFalseAlarmRate) }
        print("Training \"\(name)\" on \(dataset.goodCount) good and \(dataset.anomalousCount) anomalous images with \(extractor.name)")
        if dataset.anomalousCount == 0 {
            print("Good images only: the threshold comes from the good images' out-of-fold scores and a false-alarm target.")
        }
        let progress = TrainingProgressPrinter()
        let started = Date()
        let result = try Trainer.train(dataset, test: test, extractor: extractor, options: options) { progress.update($0) }
        progress.finish()
        printDataWarnings(result)
        let store = modelStore.store
        let version = try store.saveNewVersion(result.model, card: result.card, baseline: result.baseline, name: name)
        let path = version.path
        if result.otherSizes > 0 {
            print("\(result.otherSizes) images differ in size from the first; all were resized to \(result.card.inputSize).")
        }
        if let evaluation = result.evaluation {
            InspectionReportPrinter.printReport(evaluation, evaluatedOn: result.evaluatedOn,
                                                thresholdMethod: test != nil ? "the saved model's own"
                                                    : "the evaluation model's own, chosen on its training images only (the saved model's follows)")
        } else {
            print("No report: no test set, and --no-holdout-report skipped the held-back evaluation.")
        }
        print("Saved model: threshold \(String(format: "%.4f", result.thresholdChoice.threshold)) (\(result.thresholdChoice.method))")
        if let note = result.scoringNote { print("Scoring: \(note)") }
        InspectionReportPrinter.printThresholdReport(result.thresholdReport)
        if !result.crossValidated.isEmpty {
            InspectionReportPrinter.printCrossValidated(result.crossValidated)
        }
        if !result.thresholdChoice.targetMet { print("warning: the target could not be met on the training images; the closest threshold was taken") }
        if result.ablation.count > 1 {
            InspectionReportPrinter.printAblation(result.ablation, title: "Ablation (same evaluation set, each at its own threshold chosen on training data):")
        }
        if !result.outOfFold.isEmpty {
            InspectionReportPrinter.printAblation(result.outOfFold, title: "Cross-validation on the training images (out-of-fold scores, thresholds chosen on them):")
        }
        if let head = result.card.head {
            print(String(format: "Head: %@ fine-tuned for %d epochs (early stopping over %d folds); fused score = %.1f x memory + %.1f x head (standardised)",
                         head.startedFrom, head.epochs, head.folds, head.fusion.memoryWeight, 1 - head.fusion.memoryWeight))
        }
        if let segmentation = result.card.segmentation { InspectionReportPrinter.printSegmentation(segmentation) }
        if let note = result.segmentationNote { print("Segmentation: \(note)") }
        print("Memory: \(result.model.memory.count) patches of \(result.model.memory.dimension) features; input \(result.card.inputSize)")
        InspectionReportPrinter.printPhases(result.phaseSeconds)
        print("Trained in \(formatDuration(Date().timeIntervalSince(started))); model written to \(path)")
        try writeHTMLReport(result, modelPath: path, label: version.label)
        printVersionNote(version, store: store, data: result.card.trainingData)
    }

    /// Which version was written and which one `--model NAME` now means.
    private func printVersionNote(_ version: ModelVersion, store: ModelStore, data: ModelCard.TrainingData?) {
        let photos = data.map { " (trained on \($0.photos) photos, data sha256 \($0.sha256.prefix(12)))" } ?? ""
        guard let model = try? store.model(named: version.name), let served = model.served else { return }
        if served.number == version.number {
            print("Version \(version.number) of \(version.name)\(photos); `--model \(version.name)` uses it.")
        } else {
            print("Version \(version.number) of \(version.name)\(photos); version \(served.number) is promoted and stays the one `--model \(version.name)` "
                  + "and the server use: `inspect models promote \(version.name) \(version.number)` to use this one, `--model \(version.name)@\(version.number)` to try it.")
        }
    }

    /// report.html: the evaluation's figures and curves (from the scores training already has),
    /// and thumbnails whose heat maps come from the saved model.
    private func writeHTMLReport(_ result: TrainingResult, modelPath: String, label: String) throws {
        let target = reportHTML ?? (modelPath as NSString).appendingPathComponent("report.html")
        guard let evaluation = result.evaluation else {
            print("No HTML report: there is no evaluation to show (--no-holdout-report without a test set).")
            return
        }
        let choice = result.thresholdChoice
        try EvaluationReportWriter.write(
            to: target, title: "Training report: \(label)",
            facts: [("model", modelPath), ("trained on", "\(result.card.classBalance.good) good and \(result.card.classBalance.anomalous) anomalous photos"),
                    ("backbone", result.card.backbone.name), ("scoring", result.card.scoring),
                    ("saved threshold", String(format: "%.4f (%@)", choice.threshold, choice.method)),
                    ("reported threshold", testGood != nil ? "the saved model's own"
                        : "the hold-out model's own, chosen on its training photos only")],
            report: evaluation, evaluatedOn: result.evaluatedOn,
            scored: result.evaluationScores.map { ScoredPhoto(path: $0.path, isAnomalous: $0.isAnomalous, score: $0.score) },
            model: result.model,
            notes: [testGood != nil ? "The heat maps over the thumbnails are the saved model's."
                     : "Scores and curves are the hold-out model's; the heat maps over the thumbnails are the saved model's (trained on all photos, these included)."],
            segmentation: result.segmentation)
        print("HTML report written to \(target)")
    }

    /// Skipped unreadable images, and photos labelled both good and anomalous.
    private func printDataWarnings(_ result: TrainingResult) {
        if !result.skipped.isEmpty {
            print("warning: skipped \(result.skipped.count) unreadable image\(result.skipped.count == 1 ? "" : "s") (recorded in model.json):")
            for image in result.skipped { print("  \(image.file): \(image.reason)") }
        }
        let shared = result.photosInBothClasses
        if !shared.isEmpty {
            print("warning: \(shared.count) anomalous image\(shared.count == 1 ? " is" : "s are") also in the good images (same bytes); the labels contradict each other:")
            for pair in shared { print("  \(pair.anomalous) = \(pair.good)") }
        }
    }
}
