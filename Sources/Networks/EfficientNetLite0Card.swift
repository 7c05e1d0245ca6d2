// The JSON card beside Models/efficientnet-lite0.safetensors (written by tools/models/make_effnet.py):
// the input normalisation this checkpoint was trained with, the weights file and its sha256,
// the labels file, and provenance.
import Foundation
import ModelCards

public struct EfficientNetLite0Card: Sendable {
    public static let fileName = "efficientnet-lite0.json"
    /// TF EfficientNet-Lite preprocessing, (pixel - 127) / 128, in the 0...1 convention.
    public static let defaultNormalization: (mean: [Float], std: [Float]) =
        ([Float](repeating: 127 / 255, count: 3), [Float](repeating: 128 / 255, count: 3))

    public let source: String
    public let weightsFile: String
    /// sha256 of the weights file, as recorded by the converter.
    public let weightsSHA256: String
    public let labelsFile: String
    public let inputSize: Int
    public let normalization: (mean: [Float], std: [Float])
    /// Evaluation framing: resize the shorter side to this, then center-crop `inputSize`.
    public let resizeShorterSide: Int
    public let license: String
    public let sourcePackage: String

    /// The fields this program reads, as the card nests them.
    private struct Fields: Decodable {
        struct Input: Decodable {
            struct Normalization: Decodable { let mean: [Float]; let std: [Float] }
            struct Framing: Decodable { let resizeShorterSide: Int }
            let width: Int
            let normalization: Normalization
            let evaluationFraming: Framing
        }
        struct Labels: Decodable { let file: String }
        struct Provenance: Decodable { let license: String; let sourcePackage: String }
        let file: String
        let sha256: String
        let labels: Labels
        let input: Input
        let provenance: Provenance
    }

    public init(contentsOf path: String) throws(ModelCardError) {
        let card = try ModelCardReader.read(Fields.self, from: path)
        let (mean, std) = (card.input.normalization.mean, card.input.normalization.std)
        guard mean.count == 3, std.count == 3, std.allSatisfy({ $0 > 0 }) else {
            throw ModelCardError(file: path, field: "input.normalization", reason: "needs 3 means and 3 positive stds")
        }
        let framing = card.input.evaluationFraming.resizeShorterSide
        guard card.input.width == EfficientNetLite0Architecture.inputSize, framing >= card.input.width else {
            throw ModelCardError(file: path, field: "input",
                                 reason: "width \(card.input.width) / framing \(framing) do not fit EfficientNet-Lite0 (224)")
        }
        source = path
        weightsFile = card.file
        weightsSHA256 = card.sha256
        labelsFile = card.labels.file
        inputSize = card.input.width
        normalization = (mean, std)
        resizeShorterSide = framing
        license = card.provenance.license
        sourcePackage = card.provenance.sourcePackage
    }
}
