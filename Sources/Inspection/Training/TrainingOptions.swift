import Foundation

/// Training settings.
public struct TrainingOptions: Sendable {
    public var seed: UInt64 = 42
    public var policy: ThresholdPolicy = .bestF1
    /// Share of training patches kept in the memory (greedy coreset), up to `maxMemoryPatches`.
    public var coresetFraction = 0.1
    /// Most patches the memory keeps, however many photos it is trained on: scoring time
    /// grows with the memory, so this keeps it flat for large training sets.
    public var maxMemoryPatches = PatchMemory.defaultMaximumSize
    /// How the memory's patches are chosen: exact greedy selection while the good photos have
    /// at most `CoresetSelection.exactPatchBudget` patches, the two-stage approximation above.
    public var coresetSelection = CoresetSelection.automatic
    /// Share of each class held back for the report when no test set is given.
    public var holdOutFraction = 0.2
    /// Whether to fit a second model without the held-back share, for the report, when no
    /// test set is given (false: only the final model is trained, and there is no report).
    public var holdOutReport = true
    /// Cross-validation folds for the threshold (fewer when there are few good images).
    public var folds = 10
    /// Most good photos scored out of fold for the threshold (and the masks' cut-off): beyond
    /// this many, each fold scores its first share of good photos only (all anomalous ones),
    /// as the scores' quantiles are already well estimated and scoring is the costly part.
    public var maxOutOfFoldGoodPhotos = 1000
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
    /// The segmentation head, learnt when anomalous training photos have masks.
    public var segmentation = SegmentationOptions()
    /// With a supervised head: what the model decides with. nil lets nested cross-validation
    /// choose between the fused score and its parts (`ScoringDecision`).
    public var scoring: ScoringPart? = nil

    public init() {}

    /// Patches in a memory over `patches` training patches (see `PatchMemory.size`).
    func memorySize(patches: Int) -> Int {
        PatchMemory.size(patches: patches, fraction: coresetFraction, maximum: maxMemoryPatches)
    }

    /// Whether a memory over `patches` good training patches is selected exactly (greedy over
    /// every patch on full features) rather than in two stages.
    func selectsExactly(patches: Int) -> Bool {
        switch coresetSelection {
        case .exact: true
        case .twoStage: false
        case .automatic: patches <= CoresetSelection.exactPatchBudget
        }
    }
}

/// How the memory's greedy coreset is selected (`CoresetCandidates`).
public enum CoresetSelection: String, Sendable, CaseIterable {
    /// Exact up to `exactPatchBudget` good training patches, two-stage above.
    case automatic = "auto"
    /// Per-photo candidates on a random projection, then one selection over them.
    case twoStage = "two-stage"
    /// One selection over every patch on full features.
    case exact

    /// Most good training patches selected exactly by `automatic`: about 20 photos of 320x320
    /// (1,600 patches each), the smallest training sets users give. A cost choice, not tuned
    /// on any product's figures: exact greedy selection costs patches x memory size x 152 per
    /// model, which grows with the square of the photos (on 20 photos it took 2.9 s against
    /// 0.9 s in two stages, on 40 photos 18 s against 2.2 s).
    public static let exactPatchBudget = 32_768
}
