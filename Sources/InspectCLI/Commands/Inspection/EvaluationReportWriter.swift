import Foundation
import Inspection

/// Writes the HTML report of `train` and `evaluate` (`EvaluationReportPage`), with
/// thumbnails of the 6 highest-scoring good and 6 lowest-scoring anomalous photos, and a
/// segmentation model's figures.
enum EvaluationReportWriter {
    static func write(to path: String, title: String, facts: [(String, String)], report: EvaluationReport, evaluatedOn: String,
                      scored: [ScoredPhoto], model: InspectionModel, notes: [String],
                      segmentation: SegmentationReport? = nil) throws(InspectionError) {
        let picked = ReportThumbnails.extremes(scored)
        let page = EvaluationReportPage(title: title, facts: facts, report: report, evaluatedOn: evaluatedOn, scored: scored,
                                        highestGood: ReportThumbnails.make(picked.good, model: model),
                                        lowestAnomalous: ReportThumbnails.make(picked.anomalous, model: model), notes: notes,
                                        segmentation: segmentation)
        do {
            try page.html().write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw InspectionError(path, "cannot write the HTML report: \(error.localizedDescription)")
        }
    }
}
