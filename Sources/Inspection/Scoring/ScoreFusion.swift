/// One calibrated anomaly score from the memory's score and the head's logit. Each is standardised against the good images' out-of-fold scores,
/// z = (s - good median) / (good 95th percentile - good median), so both read "how many
/// good-spreads above a typical good item"; the fused score is w z_memory + (1 - w) z_head,
/// with w chosen on out-of-fold scores of the training images (`choose`, in
/// Threshold/ScoreFusion+Choice.swift). Standardising
/// first makes w a share of influence, not a correction for the scores' units.
public struct ScoreFusion: Sendable, Codable, Equatable {
    public var memory: ScoreCalibration
    public var head: ScoreCalibration
    public var memoryWeight: Float

    public init(memory: ScoreCalibration, head: ScoreCalibration, memoryWeight: Float) {
        self.memory = memory
        self.head = head
        self.memoryWeight = memoryWeight
    }

    public func fuse(memory m: Float, head h: Float) -> Float {
        memoryWeight * (m - memory.goodMedian) / memory.goodSpread + (1 - memoryWeight) * (h - head.goodMedian) / head.goodSpread
    }
}
