import Foundation
import HTMLReports

/// `report.html` of `inspect train` and `inspect evaluate`: the metrics and the confusion
/// matrix, ROC and precision-recall curves, the score histograms of good and anomalous
/// photos with the threshold, and thumbnails with heat maps of the photos nearest to being
/// misjudged. Self-contained: inline SVG and PNG data URIs, no script.
public struct EvaluationReportPage: Sendable {
    public var title: String
    /// Label-value lines at the top (model, data, threshold method...).
    public var facts: [(String, String)]
    public var report: EvaluationReport
    public var evaluatedOn: String
    public var scored: [ScoredPhoto]
    public var highestGood: [ReportThumbnail]
    public var lowestAnomalous: [ReportThumbnail]
    /// Sentences under the thumbnails (where their maps come from).
    public var notes: [String]
    /// A segmentation model's figures (per type IoU and F1, mean IoU, pixel AUROC and PRO)
    /// with what they were measured on; nil for other models.
    public var segmentation: SegmentationReport?

    public init(title: String, facts: [(String, String)], report: EvaluationReport, evaluatedOn: String, scored: [ScoredPhoto],
                highestGood: [ReportThumbnail], lowestAnomalous: [ReportThumbnail], notes: [String] = [],
                segmentation: SegmentationReport? = nil) {
        self.segmentation = segmentation
        self.title = title
        self.facts = facts
        self.report = report
        self.evaluatedOn = evaluatedOn
        self.scored = scored
        self.highestGood = highestGood
        self.lowestAnomalous = lowestAnomalous
        self.notes = notes
    }

    public func html() -> String {
        var page = HTMLPage(title: title)
        page.table(header: ["", ""], rows: facts.map { [$0.0, $0.1] })
        page.heading("Metrics on \(evaluatedOn)")
        func figure(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "n/a" }
        let r = report, c = r.confusion
        page.table(header: ["metric", "value"],
                   rows: [["precision", figure(r.precision)], ["recall", figure(r.recall)], ["F1", figure(r.f1)],
                          ["accuracy", figure(r.accuracy)], ["image AUROC", figure(r.auroc)], ["average precision", figure(r.averagePrecision)],
                          ["threshold", String(format: "%.4f", r.threshold)], ["photos", "\(r.goodCount) good, \(r.anomalousCount) anomalous"]],
                   numericColumns: [1])
        page.heading("Confusion matrix (rows: truth, columns: prediction)", level: 3)
        page.table(header: ["", "predicted anomalous", "predicted normal"],
                   rows: [["anomalous", "TP \(c.truePositives)", "FN \(c.falseNegatives)"],
                          ["normal", "FP \(c.falsePositives)", "TN \(c.trueNegatives)"]], numericColumns: [1, 2])

        if let s = segmentation {
            page.heading("Segmentation on \(s.measuredOn)")
            page.table(header: ["type", "IoU", "F1", "precision", "recall", "true pixels"],
                       rows: s.labels.map { [$0.name, figure($0.iou), figure($0.f1), figure($0.precision), figure($0.recall), "\($0.pixels)"] },
                       numericColumns: [1, 2, 3, 4, 5])
            page.table(header: ["figure", "value"],
                       rows: [["mean IoU", figure(s.meanIoU)], ["memory-only mask IoU (same photos)", figure(s.memoryOnlyIoU)],
                              ["pixel AUROC (fused map)", figure(s.pixelAUROC)], ["PRO (fused map)", figure(s.perRegionOverlap)],
                              ["photos", "\(s.photos)"]],
                       numericColumns: [1])
            page.paragraph("Pixels of all photos count together: marks on good photos are false positives. F1 is at the model's "
                           + "pixel threshold.", className: "note")
        }

        let scores = scored.map { Double($0.score) }, labels = scored.map(\.isAnomalous)
        var charts: [String] = []
        if r.goodCount > 0 && r.anomalousCount > 0 {
            let roc = RankingMetrics.roc(scores: scores, labels: labels)
            charts.append(SVGChart.lines(title: "ROC curve (AUROC \(figure(r.auroc)))",
                                         [.init(name: "model", points: roc.map { ($0.falsePositiveRate, $0.truePositiveRate) }, colour: SVGChart.anomalous)],
                                         xLabel: "false-positive rate", yLabel: "true-positive rate", xRange: 0...1, yRange: 0...1, diagonal: true))
            let positives = Double(r.anomalousCount), negatives = Double(r.goodCount)
            let pr = roc.dropFirst().compactMap { p -> (x: Double, y: Double)? in
                let tp = p.truePositiveRate * positives, fp = p.falsePositiveRate * negatives
                return tp + fp > 0 ? (p.truePositiveRate, tp / (tp + fp)) : nil
            }
            charts.append(SVGChart.lines(title: "Precision-recall (AP \(figure(r.averagePrecision)))",
                                         [.init(name: "model", points: pr, colour: SVGChart.good)],
                                         xLabel: "recall", yLabel: "precision", xRange: 0...1, yRange: 0...1))
        }
        charts.append(SVGChart.histogram(title: "Scores", [("good", scored.filter { !$0.isAnomalous }.map { Double($0.score) }, SVGChart.good),
                                                           ("anomalous", scored.filter(\.isAnomalous).map { Double($0.score) }, SVGChart.anomalous)],
                                         marker: (Double(r.threshold), String(format: "threshold %.3f", r.threshold)), xLabel: "anomaly score"))
        page.heading("Curves and score distributions")
        page.figures(charts)

        page.heading("Good photos scored highest")
        if highestGood.isEmpty { page.paragraph("No good photos.", className: "note") }
        page.thumbnails(highestGood.map { ($0.caption, $0.pngBase64) })
        page.heading("Anomalous photos scored lowest")
        if lowestAnomalous.isEmpty { page.paragraph("No anomalous photos.", className: "note") }
        page.thumbnails(lowestAnomalous.map { ($0.caption, $0.pngBase64) })
        for note in notes { page.paragraph(note, className: "note") }
        return page.render()
    }
}
