import Foundation

/// Which score a model with a supervised head decides with, and its threshold: the fused score
/// unless, in nested cross-validation on the training photos' out-of-fold scores, it decides
/// worse than the better of its two parts; then that part alone. A fused model is never saved
/// when its out-of-fold figures are worse than its better part's. With `unseenTypes`, each
/// anomalous photo is also judged as a defect of a type the head never saw
/// (`NestedCrossValidation`), as the fused threshold is then chosen (`countsUnseenTypes`).
public struct ScoringDecision: Sendable {
    public var part: ScoringPart
    /// The fusion the model scores with (memory weight 1 for the memory alone, 0 for the head).
    public var fusion: ScoreFusion
    public var choice: ThresholdChoice
    /// Nested cross-validated figures of the fused model and of each part, fused first.
    public var outcomes: [CrossValidatedOutcome]
    /// Why a part was saved instead of the fused model; nil when the fused model was.
    public var note: String?

    /// Whether the fused threshold and the decision also count each anomalous training photo as
    /// a defect of a type the head never saw. No: in the verdict-rule study on the development
    /// products' training photos (docs/EVALUATION.md) the decision without the copies had the
    /// better mean and worst nested F1 (0.778 and 0.570 against 0.731 and 0.539).
    public static let countsUnseenTypes = false

    /// "Worse": a lower nested F1, or the same F1 and a lower AUROC. On a tie the fused model
    /// is kept; between the parts, the memory wins ties (it also sees defect types the head
    /// was never shown).
    /// `forced` skips the decision and saves that part (the outcomes are still computed, for
    /// the report).
    public static func choose(_ scores: OutOfFoldScores, policy: ThresholdPolicy, forced: ScoringPart? = nil,
                              unseenTypes: Bool = countsUnseenTypes) -> ScoringDecision {
        let parts: [ScoringPart] = [.fused, .memory, .head]
        let rules = parts.map { VerdictRule.trainer($0, policy: policy, unseenTypeCopies: unseenTypes) }
        let outcomes = rules.compactMap { NestedCrossValidation.evaluate(scores, rule: $0, unseenTypes: unseenTypes) }
        var part = ScoringPart.fused
        if let forced {
            part = forced
        } else if outcomes.count == parts.count {
            let fused = outcomes[0]
            let better = outcomes[2].f1 > outcomes[1].f1 + 1e-9 ? (ScoringPart.head, outcomes[2]) : (ScoringPart.memory, outcomes[1])
            if worse(fused, than: better.1) { part = better.0 }
        }
        var fitted = rules[parts.firstIndex(of: part) ?? 0].fit(scores)
        // A fusion that gives the head no weight is the memory alone (unless fused was asked for).
        if forced != .fused, fitted.part == .fused, let fusion = fitted.fusion, fusion.memoryWeight >= 1 {
            fitted = rules[1].fit(scores)
            part = .memory
        }
        let fusion = fitted.fusion ?? ScoreFusion(memory: ScoreCalibration(goodScores: []), head: ScoreCalibration(goodScores: []),
                                                  memoryWeight: 1)
        let choice = fitted.threshold.onOutOfFold(good: scores.goodCount, anomalous: scores.anomalousCount, part: part, fusion: fusion)
        var note: String? = nil
        if let forced, forced == part {
            note = forced == .fused ? nil : "saved the \(part.rawValue), as asked"
        } else if part != .fused, outcomes.count == parts.count {
            let own = outcomes[part == .memory ? 1 : 2]
            note = worse(outcomes[0], than: own)
                ? "saved the \(part.rawValue): in nested cross-validation on the training photos"
                    + (unseenTypes ? " (each defect also judged as a type the head never saw)" : "") + " the fused model's F1 was"
                    + " \(format(outcomes[0].f1)) against the \(part.rawValue)'s \(format(own.f1))"
                    + (outcomes[0].f1 < own.f1 - 1e-9 ? "" : ", and its AUROC \(format(outcomes[0].auroc ?? 0)) below \(format(own.auroc ?? 0))")
                : "saved the \(part.rawValue): the fusion gave the head no weight"
        } else if part != .fused {
            note = "saved the \(part.rawValue): the fusion gave the head no weight"
        }
        return ScoringDecision(part: part, fusion: fusion, choice: choice, outcomes: outcomes, note: note)
    }

    static func worse(_ a: CrossValidatedOutcome, than b: CrossValidatedOutcome) -> Bool {
        if a.f1 < b.f1 - 1e-9 { return true }
        guard abs(a.f1 - b.f1) <= 1e-9, let x = a.auroc, let y = b.auroc else { return false }
        return x < y - 1e-9
    }

    static func format(_ v: Double) -> String { String(format: "%.3f", v) }
}
