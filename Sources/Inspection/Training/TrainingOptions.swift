import Foundation

/// Training settings.
public struct TrainingOptions: Sendable {
    public var seed: UInt64 = 42
    public var policy: ThresholdPolicy = .bestF1
    /// Share of training patches kept in the memory (greedy coreset).
    public var coresetFraction = 0.1
    /// Share of each class held back for the report when no test set is given.
    public var holdOutFraction = 0.2
    /// Cross-validation folds for the threshold (fewer when there are few good images).
    public var folds = 10
    /// Longer side of the model's input, in pixels.
    public var inputLongSide = 320
    /// Decoding threads.
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    /// Train the supervised head when there are anomalous training images (at least 2).
    public var supervisedHead = true
    /// Train on the readable images when some cannot be read (they are recorded in the
    /// card); otherwise training stops with the list of every unreadable one.
    public var skipUnreadable = false
    public var head = HeadTrainingOptions()

    public init() {}
}
