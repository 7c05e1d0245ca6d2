import Foundation
import Inspection

/// One version of a model as `inspect models` prints it: a table row, or a JSON object.
struct ModelVersionSummary: Encodable {
    var Name: String
    var Version: Int
    var Promoted: Bool
    /// The version `--model NAME` and the server use.
    var Served: Bool
    var Path: String
    var Created: String?
    var Photos: Int?
    var DataSHA256: String?
    var GoodImages: Int?
    var AnomalousImages: Int?
    var Threshold: Float?
    var ThresholdMethod: String?
    var Scoring: String?
    var Backbone: String?
    var EvaluatedOn: String?
    var Metrics: [String: Double]?
    var Error: String?

    init(_ entry: ListedVersion, of model: StoredModelVersions) {
        Name = model.name
        Version = entry.version.number
        Promoted = model.promoted == entry.version.number
        Served = model.served == entry.version
        Path = entry.version.path
        switch entry.card {
        case .success(let card):
            Created = card.created
            Photos = card.trainingData?.photos ?? card.classBalance.good + card.classBalance.anomalous
            DataSHA256 = card.trainingData?.sha256
            GoodImages = card.classBalance.good
            AnomalousImages = card.classBalance.anomalous
            Threshold = card.threshold
            ThresholdMethod = card.thresholdMethod
            Scoring = card.scoring
            Backbone = card.backbone.name
            EvaluatedOn = card.evaluatedOn
            Metrics = card.trainingMetrics.map { m in
                ["AUROC": m.auroc, "Precision": m.precision, "Recall": m.recall, "F1": m.f1].compactMapValues { $0 }
            }
        case .failure(let error):
            self.Error = error.description
        }
    }

    /// "promoted, served", "served", "" (for the table's state column).
    var state: String {
        [Promoted ? "promoted" : nil, Served ? "served" : nil].compactMap { $0 }.joined(separator: ", ")
    }

    /// The table's columns, in `header` order.
    var row: [String] {
        [Name, "v\(Version)", state.isEmpty ? "-" : state, Created.map { String($0.prefix(19)) } ?? "-",
         Photos.map { String($0) } ?? "-", formatDecimal(Metrics?["AUROC"]), formatDecimal(Metrics?["F1"]),
         Threshold.map { String(format: "%.4f", $0) } ?? "-", self.Error.map { "error: " + $0 } ?? (DataSHA256.map { String($0.prefix(12)) } ?? "-")]
    }

    static let header = ["model", "version", "state", "trained (UTC)", "photos", "AUROC", "F1", "threshold", "data sha256"]
    /// The numeric columns, right-aligned.
    static let numericColumns: Set<Int> = [4, 5, 6, 7]
}
