// Learning-rate schedule: linear warm-up, then cosine decay (Loshchilov & Hutter, "SGDR", 2017,
// without restarts; warm-up as in Goyal et al., 2017).
import Foundation

public struct CosineSchedule: Sendable {
    public var baseRate: Float
    public var minimumRate: Float
    public var warmupSteps: Int
    public var totalSteps: Int

    public init(baseRate: Float, minimumRate: Float = 0, warmupSteps: Int = 0, totalSteps: Int) {
        precondition(totalSteps >= 1 && warmupSteps >= 0, "CosineSchedule: needs totalSteps >= 1 and warmupSteps >= 0")
        self.baseRate = baseRate; self.minimumRate = minimumRate
        self.warmupSteps = warmupSteps; self.totalSteps = totalSteps
    }

    /// The rate for step 0, 1, ...: base * (step + 1) / warmup during warm-up, then
    /// min + (base - min) * (1 + cos(pi * t)) / 2 with t going from 0 to 1 at the last step.
    public func rate(at step: Int) -> Float {
        if step < warmupSteps { return baseRate * Float(step + 1) / Float(warmupSteps) }
        let decaySteps = max(1, totalSteps - warmupSteps - 1)
        let t = min(1, Double(step - warmupSteps) / Double(decaySteps))
        return minimumRate + (baseRate - minimumRate) * Float((1 + cos(Double.pi * t)) / 2)
    }
}
