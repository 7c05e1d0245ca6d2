// The JSON card beside Models/efficientnet-lite0.safetensors (written by tools/models/make_effnet.py):
// the input normalisation this checkpoint was trained with, the weights file and its sha256,
// the labels file, and provenance.
import Foundation

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

    public init(contentsOf path: String) throws {
        func fail(_ reason: String) -> SafetensorsError { SafetensorsError(file: path, reason: reason) }
        guard let data = FileManager.default.contents(atPath: path) else { throw fail("cannot read the model card") }
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw fail("the model card is not a JSON object")
        }
        func field<T>(_ keys: String..., as: T.Type = T.self) throws -> T {
            var node: Any? = root
            for key in keys { node = (node as? [String: Any])?[key] }
            guard let value = node as? T else { throw fail("missing or malformed field \(keys.joined(separator: "."))") }
            return value
        }
        source = path
        weightsFile = try field("file")
        weightsSHA256 = try field("sha256")
        labelsFile = try field("labels", "file")
        inputSize = try field("input", "width", as: NSNumber.self).intValue
        let mean = try field("input", "normalization", "mean", as: [NSNumber].self).map(\.floatValue)
        let std = try field("input", "normalization", "std", as: [NSNumber].self).map(\.floatValue)
        guard mean.count == 3, std.count == 3, std.allSatisfy({ $0 > 0 }) else {
            throw fail("input.normalization needs 3 means and 3 positive stds")
        }
        normalization = (mean, std)
        resizeShorterSide = try field("input", "evaluationFraming", "resizeShorterSide", as: NSNumber.self).intValue
        license = try field("provenance", "license")
        sourcePackage = try field("provenance", "sourcePackage")
        guard inputSize == EfficientNetLite0Architecture.inputSize, resizeShorterSide >= inputSize else {
            throw fail("input size \(inputSize) / framing \(resizeShorterSide) do not fit EfficientNet-Lite0 (224)")
        }
    }
}
