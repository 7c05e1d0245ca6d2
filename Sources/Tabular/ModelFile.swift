import Foundation
import ModelCards

/// A saved tabular model: schema, recipe, learned parameters, threshold, metrics and
/// provenance, as one JSON file (a model card, like the rest of Models/).
public struct TabularModel: Codable, Sendable {
    public static let formatName = "inspect-tabular-model"
    public static let currentVersion = 1

    public var format: String
    public var version: Int
    public var created: String
    public var schema: Schema
    public var target: String
    public var positiveLabel: String
    public var negativeLabel: String
    public var features: [String]
    public var recipe: Recipe
    public var kind: ModelKind
    public var logistic: LogisticModel?
    public var trees: BoostedTrees?
    public var hyperparameters: String
    public var threshold: Double
    public var thresholdRule: String
    public var metrics: ModelMetrics
    public var provenance: Provenance
    public var leakage: [LeakageWarning]

    public struct ModelMetrics: Codable, Sendable {
        public var evaluation: BinaryMetrics
        public var trainRows: Int
        public var evaluationRows: Int
        /// k-fold cross-validation of the same configuration on all labelled rows, when asked for.
        public var crossValidation: CrossValidationReport?
    }

    public struct Provenance: Codable, Sendable {
        public var dataset: String
        public var datasetSHA256: String
        public var datasetRows: Int
        public var seed: UInt64
        public var trainer: String
        /// Where the data came from, as the trainer described it (e.g. a registry package).
        public var datasetSource: String?
    }

    init(ds: Datasource, fitted: FittedPipeline, features: [String], threshold: Double, report: TrainingReport,
         seed: UInt64, datasetSHA256: String) {
        format = Self.formatName
        version = Self.currentVersion
        created = ISO8601DateFormatter().string(from: Date())
        schema = ds.schema
        target = ds.schema.targetAttributeName ?? ""
        positiveLabel = ds.positiveLabel
        negativeLabel = ds.negativeLabel
        self.features = features
        recipe = fitted.recipe
        switch fitted.predictor {
        case .logistic(let m): kind = .logistic; logistic = m
        case .trees(let m): kind = .trees; trees = m
        }
        hyperparameters = fitted.hyperparameters
        self.threshold = threshold
        thresholdRule = report.thresholdRule
        metrics = ModelMetrics(evaluation: report.evaluation, trainRows: report.trainRows, evaluationRows: report.evaluationRows,
                               crossValidation: nil)
        provenance = Provenance(dataset: (ds.table.source as NSString).lastPathComponent, datasetSHA256: datasetSHA256,
                                datasetRows: ds.table.rows.count, seed: seed, trainer: "inspect tabular train",
                                datasetSource: nil)
        leakage = report.leakage
    }

    var predictor: Predictor? {
        switch kind {
        case .logistic: return logistic.map(Predictor.logistic)
        case .trees: return trees.map(Predictor.trees)
        }
    }

    public func jsonData() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try e.encode(self)
    }

    public func save(path: String) throws {
        do { try jsonData().write(to: URL(fileURLWithPath: path), options: .atomic) }
        catch { throw TabularError("\(path): cannot write the model (\(error.localizedDescription))") }
    }

    /// Reads a model file, checking its format and version before anything else.
    public static func load(path: String) throws -> TabularModel {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TabularError("\(path): cannot read the model file (missing or unreadable)")
        }
        struct Header: Decodable { var format: String?; var version: Int? }
        let header: Header
        do { header = try ModelCardReader.decode(Header.self, from: data, file: path) }
        catch { throw TabularError("\(path): not a JSON model file (\(error.problem))") }
        guard header.format == formatName else {
            throw TabularError("\(path): not a tabular model (format is '\(header.format ?? "absent")', expected '\(formatName)')")
        }
        guard header.version == currentVersion else {
            throw TabularError("\(path): tabular model version \(header.version.map(String.init) ?? "absent") is not supported (this program reads version \(currentVersion)); retrain it with `inspect tabular train`")
        }
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let model: TabularModel
        do { model = try ModelCardReader.decode(TabularModel.self, from: data, file: path, using: d) }
        catch { throw TabularError("\(path): damaged tabular model (\(error.problem))") }
        guard model.predictor != nil else {
            throw TabularError("\(path): model kind '\(model.kind.rawValue)' has no '\(model.kind.rawValue)' parameters")
        }
        guard model.recipe.featureNames.count == (model.logistic?.weights.count ?? model.recipe.featureNames.count) else {
            throw TabularError("\(path): the recipe makes \(model.recipe.featureNames.count) features but the model has \(model.logistic?.weights.count ?? 0) weights")
        }
        return model
    }
}
