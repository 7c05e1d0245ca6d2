import Checksums
import Foundation
import Networks

/// `model.json` of a model bundle (DESIGN.md): what the model is, what it was made with and
/// how well it did.
public struct ModelCard: Codable, Sendable, Equatable {
    public static let kind = "inspect-anomaly-model"
    public static let currentVersion = 1

    public struct Backbone: Codable, Sendable, Equatable {
        public var name: String
        public var sha256: String
    }
    public struct Weights: Codable, Sendable, Equatable {
        public var file: String
        public var sha256: String
    }
    public struct Memory: Codable, Sendable, Equatable {
        public var patches: Int
        public var dimension: Int
        public var coresetFraction: Double
        public var reweightingNeighbours: Int
        public var mapSigma: Float
        /// Weight of the stride-8 features (stride-16 features weigh 1).
        public var stride8Weight: Float
    }
    public struct ClassBalance: Codable, Sendable, Equatable {
        public var good: Int
        public var anomalous: Int
    }

    public var kind: String
    public var version: Int
    public var created: String
    public var inputSize: InputSize
    public var backbone: Backbone
    public var threshold: Float
    public var thresholdMethod: String
    public var calibration: ScoreCalibration
    public var memory: Memory
    /// Metrics on the held-back (or given test) images, with what they were measured on.
    public var trainingMetrics: EvaluationReport?
    public var evaluatedOn: String
    public var classBalance: ClassBalance
    public var weights: Weights
    /// Which scores make the model's score. Only "memory" (the normal-patch memory) exists so
    /// far; the supervised head and the fusion are not implemented.
    public var scoring: String
}

/// A model bundle: a directory with `model.json` and `weights.safetensors` (the memory bank).
public enum ModelBundle {
    public static let cardFile = "model.json"
    public static let weightsFile = "weights.safetensors"

    /// Writes the bundle (creating the directory). The weights are written first and hashed
    /// into the card.
    public static func save(_ model: InspectionModel, card: ModelCard, to directory: String) throws(InspectionError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw InspectionError(directory, "cannot create the model folder: \(error.localizedDescription)")
        }
        let weightsPath = (directory as NSString).appendingPathComponent(weightsFile)
        let data: Data
        do {
            data = try SafetensorsWriter.encode([(name: "memory.bank", shape: [model.memory.count, model.memory.dimension], values: model.memory.bank)],
                                                metadata: ["format": ModelCard.kind])
            try data.write(to: URL(fileURLWithPath: weightsPath), options: .atomic)
        } catch {
            throw InspectionError(weightsPath, "cannot write the weights: \(error)")
        }
        var card = card
        card.weights = ModelCard.Weights(file: weightsFile, sha256: SHA256.hex(data))
        let cardPath = (directory as NSString).appendingPathComponent(cardFile)
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(card).write(to: URL(fileURLWithPath: cardPath), options: .atomic)
        } catch {
            throw InspectionError(cardPath, "cannot write the model card: \(error.localizedDescription)")
        }
    }

    /// Reads only the card (to learn which backbone to load).
    public static func readCard(_ directory: String) throws(InspectionError) -> ModelCard {
        let cardPath = (directory as NSString).appendingPathComponent(cardFile)
        guard let data = FileManager.default.contents(atPath: cardPath) else {
            throw InspectionError(directory, "not a model bundle: \(cardFile) is missing or unreadable")
        }
        let card: ModelCard
        do {
            card = try JSONDecoder().decode(ModelCard.self, from: data)
        } catch {
            throw InspectionError(cardPath, "not a valid model card: \(error)")
        }
        guard card.kind == ModelCard.kind else {
            throw InspectionError(cardPath, "kind is \"\(card.kind)\", expected \"\(ModelCard.kind)\"")
        }
        guard card.version == ModelCard.currentVersion else {
            throw InspectionError(cardPath, "model format version \(card.version); this program reads version \(ModelCard.currentVersion)")
        }
        return card
    }

    /// Loads a bundle with the given extractor, checking that the extractor is the one the
    /// model was trained with and that the weights are intact.
    public static func load(_ directory: String, extractor: FeatureExtractor) throws(InspectionError) -> (model: InspectionModel, card: ModelCard) {
        let card = try readCard(directory)
        guard card.backbone.name == extractor.name else {
            throw InspectionError(directory, "the model was trained with backbone \"\(card.backbone.name)\", not \"\(extractor.name)\"")
        }
        guard card.backbone.sha256 == extractor.weightsSHA256 else {
            throw InspectionError(directory, "the model was trained with other \(card.backbone.name) weights (sha256 \(card.backbone.sha256.prefix(12))…, installed \(extractor.weightsSHA256.prefix(12))…); retrain it")
        }
        let weightsPath = (directory as NSString).appendingPathComponent(card.weights.file)
        guard let data = FileManager.default.contents(atPath: weightsPath) else {
            throw InspectionError(weightsPath, "the weights file is missing or unreadable")
        }
        let digest = SHA256.hex(data)
        guard digest == card.weights.sha256 else {
            throw InspectionError(weightsPath, "the weights file is corrupted or was changed (sha256 \(digest.prefix(12))…, the card says \(card.weights.sha256.prefix(12))…)")
        }
        let bank: [Float]
        do {
            bank = try SafetensorsFile(data: data, source: weightsPath).floats("memory.bank", shape: [card.memory.patches, card.memory.dimension])
        } catch {
            throw InspectionError(weightsPath, "\(error)")
        }
        guard bank.allSatisfy(\.isFinite) else { throw InspectionError(weightsPath, "the memory holds non-finite values") }
        let memory = PatchMemory(bank: bank, dimension: card.memory.dimension)
        let model = InspectionModel(extractor: extractor, memory: memory, inputSize: card.inputSize,
                                    calibration: card.calibration, stride8Weight: card.memory.stride8Weight, threshold: card.threshold)
        return (model, card)
    }
}
