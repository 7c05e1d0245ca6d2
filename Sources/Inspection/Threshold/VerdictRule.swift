/// A way to turn training photos' out-of-fold scores into verdicts: which score decides
/// (the memory's, the head's, or their fusion) and where the threshold goes.
public struct VerdictRule: Sendable {
    public var name: String
    public var fit: @Sendable (OutOfFoldScores) -> FittedVerdictRule

    public init(name: String, fit: @escaping @Sendable (OutOfFoldScores) -> FittedVerdictRule) {
        self.name = name
        self.fit = fit
    }
}

/// A rule fitted on some photos' out-of-fold scores.
public struct FittedVerdictRule: Sendable {
    public var part: ScoringPart
    /// The fusion (its weight 1 for the memory alone, 0 for the head alone).
    public var fusion: ScoreFusion?
    public var threshold: ThresholdChoice

    /// The rule's score of photo `i`: the memory's raw score for the memory alone (the memory's
    /// own threshold units), else the fusion's.
    public func score(_ scores: OutOfFoldScores, _ i: Int) -> Float {
        guard part != .memory, let fusion, let head = scores.head else { return scores.memory[i] }
        return fusion.fuse(memory: scores.memory[i], head: head[i])
    }

    /// Photo `i`'s score as a defect of a type the head was never shown: the head's logit at
    /// its good median (neutral), so only the memory's evidence is left.
    public func unseenTypeScore(_ scores: OutOfFoldScores, _ i: Int) -> Float {
        guard part != .memory, let fusion else { return scores.memory[i] }
        return fusion.fuse(memory: scores.memory[i], head: fusion.head.goodMedian)
    }
}

/// Which score a saved model decides with.
public enum ScoringPart: String, Sendable, Codable, Equatable {
    case fused
    case memory = "memory alone"
    case head = "fine-tuned head alone"
}

extension VerdictRule {
    /// The trainer's rules for each part under a threshold policy. The fused rule chooses the
    /// weight by out-of-fold AUROC (`ScoreFusion.choose`) and its threshold on the fused
    /// out-of-fold scores, with each anomalous photo also counted as a type the head never saw
    /// when `unseenTypeCopies` (`ScoreFusion.thresholdValidation`); the head alone is its
    /// standardised logit.
    public static func trainer(_ part: ScoringPart, policy: ThresholdPolicy,
                               unseenTypeCopies: Bool = ScoringDecision.countsUnseenTypes) -> VerdictRule {
        VerdictRule(name: part.rawValue) { s in
            guard let head = s.head, part != .memory else {
                return FittedVerdictRule(part: .memory, fusion: nil,
                                         threshold: ThresholdSelector.choose(scores: s.memory, labels: s.labels, policy: policy))
            }
            let chosen = ScoreFusion.choose(memoryScores: s.memory, headScores: head, labels: s.labels)
            if part == .head {
                let fusion = ScoreFusion(memory: chosen.memory, head: chosen.head, memoryWeight: 0)
                let standardised = zip(s.memory, head).map { fusion.fuse(memory: $0.0, head: $0.1) }
                return FittedVerdictRule(part: .head, fusion: fusion,
                                         threshold: ThresholdSelector.choose(scores: standardised, labels: s.labels, policy: policy))
            }
            let validation = unseenTypeCopies
                ? chosen.thresholdValidation(memoryScores: s.memory, headScores: head, labels: s.labels)
                : (scores: zip(s.memory, head).map { chosen.fuse(memory: $0.0, head: $0.1) }, labels: s.labels)
            return FittedVerdictRule(part: .fused, fusion: chosen,
                                     threshold: ThresholdSelector.choose(scores: validation.scores, labels: validation.labels, policy: policy))
        }
    }
}
