import ArgumentParser
import Foundation
import Imaging
import Inspection
import Tabular

/// `inspect evaluate --model NAME GOOD_DIR BAD_DIR [--masks DIR]`.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate a trained model on labelled folders: the training report, a per-image CSV, and pixel AUROC and PRO with masks.",
        discussion: """
            Masks (white = defect) are matched to anomalous images by file name stem \
            ("12.png" takes "12.png", "12.jpg" or "12_mask.png"); good images count as defect-free. \
            Exit status: 0 evaluated; 1 some images could not be read (left out, listed); 2 the \
            model or folders could not be used.
            """
    )

    @Option(help: "Model: NAME (its promoted, else newest, version), NAME@N (version N), or the path of a model or bundle folder.")
    var model: String

    @Argument(help: "Folder of good test images.")
    var goodDir: String

    @Argument(help: "Folder of anomalous test images.")
    var badDir: String

    @Option(help: "Folder of ground-truth masks of the anomalous images, for pixel-level AUROC and PRO.")
    var masks: String?

    @Option(help: "Per-image CSV (path, label, score, prediction).")
    var csv = "evaluation.csv"

    @Option(name: .customLong("report-html"), help: "HTML report with curves, histograms and heat-map thumbnails (in the current folder by default).")
    var reportHTML = "evaluation-report.html"

    @OptionGroup var modelStore: ModelStoreOption

    @OptionGroup var models: ModelsOption

    func run() throws {
        let loaded: StoredModel
        let dataset: InspectionDataset
        do {
            loaded = try modelStore.load(model, models: models)
            dataset = try InspectionDataset.folders(good: goodDir, bad: badDir, masks: masks)
        } catch {
            printError("\(error)")
            throw ExitCode(2)
        }
        let size = loaded.model.inputSize
        let bar = ProgressBar(total: dataset.images.count, label: "scoring")
        var scores: [Float] = [], labels: [Bool] = [], rows: [String] = ["path,label,score,predicted"]
        var pixels = PixelEvaluation(width: size.width), failures: [String] = [], scored: [ScoredPhoto] = []
        var segmentation = loaded.model.segmentation.map { SegmentationEvaluation(labels: $0.labels, width: size.width) }
        BatchScorer.score(dataset.images.map(\.path), model: loaded.model) { i, row in
            bar.advance()
            let image = dataset.images[i]
            switch row.result {
            case .failure(let error): failures.append(error.description)
            case .success(let r):
                scores.append(r.score)
                labels.append(image.isAnomalous)
                scored.append(ScoredPhoto(path: image.path, isAnomalous: image.isAnomalous, score: r.score))
                rows.append("\(CSVReader.escape(image.path)),\(image.isAnomalous ? "anomalous" : "normal"),\(String(format: "%.5f", r.score)),\(r.isAnomalous ? "anomalous" : "normal")")
                guard masks != nil else { return }
                if let maskPath = image.maskPath {
                    do {
                        if segmentation != nil {
                            try segmentation?.add(r, maskPath: maskPath, photo: image.path)
                        } else {
                            pixels.add(map: r.map, cutOff: r.mapThreshold,
                                       truth: try GroundTruthMask.load(maskPath, width: size.width, height: size.height))
                        }
                    } catch {
                        failures.append("\(error)")
                    }
                } else if !image.isAnomalous {
                    try? segmentation?.add(r, maskPath: nil, photo: image.path)
                    pixels.add(map: r.map, cutOff: r.mapThreshold, truth: [Bool](repeating: false, count: size.width * size.height))
                } else {
                    failures.append("\(image.path): no mask found in \(masks ?? "") (left out of pixel AUROC)")
                }
            }
        }
        bar.finish()
        for failure in failures { printError(failure) }
        guard !scores.isEmpty else { printError("no image could be scored"); throw ExitCode(2) }
        let report = EvaluationReport(scores: scores, labels: labels, threshold: loaded.model.threshold)
        InspectionReportPrinter.printReport(report, evaluatedOn: "\(report.goodCount) good and \(report.anomalousCount) anomalous test images",
                                            thresholdMethod: "the model's own (\(loaded.card.thresholdMethod))")
        if masks != nil, let segmentation {
            InspectionReportPrinter.printSegmentationReport(segmentation.report(measuredOn: ""),
                                                            title: "Segmentation on \(segmentation.photos) test photos with masks or good "
                                                                + "(each type at the model's pixel threshold; pixel AUROC and PRO of the fused map):")
        } else if masks != nil {
            print("Pixel AUROC over \(pixels.count) images: \(pixels.auroc.map { String(format: "%.3f", $0) } ?? "n/a (no defect or no background pixels)")")
            print("PRO (per-region overlap, area up to 30% FPR): \(pixels.perRegionOverlap.map { String(format: "%.3f", $0) } ?? "n/a (no defect region or no background pixels)")")
            print("Marked areas against the true defects (IoU over the anomalous images): \(pixels.markedIoU.map { String(format: "%.3f", $0) } ?? "n/a")")
        }
        do {
            try rows.joined(separator: "\n").appending("\n").write(toFile: csv, atomically: true, encoding: .utf8)
            print("Per-image scores written to \(csv)")
        } catch {
            printError("\(csv): cannot write: \(error.localizedDescription)")
        }
        do {
            try EvaluationReportWriter.write(
                to: reportHTML, title: "Evaluation report: \(loaded.name)",
                facts: [("model", loaded.path), ("test photos", "\(goodDir) (good), \(badDir) (anomalous)"),
                        ("threshold", String(format: "%.4f (the model's own: %@)", loaded.model.threshold, loaded.card.thresholdMethod))],
                report: report, evaluatedOn: "\(report.goodCount) good and \(report.anomalousCount) anomalous test images",
                scored: scored, model: loaded.model, notes: [],
                segmentation: masks != nil ? segmentation.map { $0.report(measuredOn: "\($0.photos) test photos with masks or good") } : nil)
            print("HTML report written to \(reportHTML)")
        } catch {
            printError("\(error)")
            failures.append("\(error)")
        }
        if !failures.isEmpty { throw ExitCode(1) }
    }
}
