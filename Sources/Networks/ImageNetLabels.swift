// The 1000 ImageNet-1k class names (Models/imagenet-labels.txt, one per line in class-index
// order) and top-k readout of classifier logits.
import Foundation
import Tensors

public struct ImageNetLabels: Sendable {
    public let names: [String]

    public init(contentsOf path: String) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw SafetensorsError(file: path, reason: "cannot read the labels file")
        }
        let names = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let trimmed = names.last == "" ? Array(names.dropLast()) : names
        guard trimmed.count == EfficientNetLite0Architecture.classes else {
            throw SafetensorsError(file: path, reason: "\(trimmed.count) labels, expected \(EfficientNetLite0Architecture.classes)")
        }
        self.names = trimmed
    }

    /// One prediction: class index, its name and softmax probability.
    public struct Prediction: Sendable, Equatable {
        public let index: Int
        public let label: String
        public let probability: Float
    }

    /// The `k` most probable classes of each row of `logits` ([N, 1000]), most probable first.
    public func top(_ k: Int, of logits: Tensor) -> [[Prediction]] {
        let probabilities = softmax(logits)
        let classes = logits.shape.last ?? 0
        return (0..<(classes == 0 ? 0 : logits.count / classes)).map { row in
            let p = Array(UnsafeBufferPointer(start: probabilities.data + row * classes, count: classes))
            return p.indices.sorted { p[$0] > p[$1] || (p[$0] == p[$1] && $0 < $1) }.prefix(k).map {
                Prediction(index: $0, label: $0 < names.count ? names[$0] : "class \($0)", probability: p[$0])
            }
        }
    }
}
