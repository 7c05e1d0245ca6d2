/// The training photos' out-of-fold scores (each photo scored by a model that did not learn
/// from it): what the threshold, the fusion, the choice between the fused model and its parts,
/// and the confidence are chosen on.
public struct OutOfFoldScores: Sendable, Codable, Equatable {
    public var labels: [Bool]
    /// The normal-patch memory's scores.
    public var memory: [Float]
    /// The supervised head's logits; nil without a head.
    public var head: [Float]?
    /// The saved model's score: the fused one with a head, else the memory's.
    public var model: [Float]

    public init(labels: [Bool], memory: [Float], head: [Float]? = nil, model: [Float]? = nil) {
        self.labels = labels
        self.memory = memory
        self.head = head
        self.model = model ?? memory
    }

    public var goodCount: Int { labels.count { !$0 } }
    public var anomalousCount: Int { labels.count { $0 } }

    /// The photos at `indices`, in that order.
    public func subset(_ indices: [Int]) -> OutOfFoldScores {
        OutOfFoldScores(labels: indices.map { labels[$0] }, memory: indices.map { memory[$0] },
                        head: head.map { h in indices.map { h[$0] } }, model: indices.map { model[$0] })
    }
}
