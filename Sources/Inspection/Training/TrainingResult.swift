/// What `Trainer.train` produced: the final model (trained on all training images), its
/// card, and the honest evaluation.
public struct TrainingResult: Sendable {
    public var model: InspectionModel
    public var card: ModelCard
    /// The report on the test set, or on a held-back share of the training images; nil when
    /// no test set was given and the hold-out report was turned off.
    public var evaluation: EvaluationReport?
    /// "held-back 20% of the training images (12 good, 2 anomalous)" or "the test folders ...".
    public var evaluatedOn: String
    /// Per-image scores of the evaluation set.
    public var evaluationScores: [(path: String, isAnomalous: Bool, score: Float)]
    public var thresholdChoice: ThresholdChoice
    /// Memory alone, head alone and fused on the evaluation set, each at its own threshold
    /// chosen on training data (only "memory" without a supervised head).
    public var ablation: [(model: String, report: EvaluationReport)]
    /// The same three on out-of-fold scores of the final model's training images (empty
    /// without a supervised head).
    public var outOfFold: [(model: String, report: EvaluationReport)]
    /// Wall-clock seconds per phase, in order.
    public var phaseSeconds: [(phase: String, seconds: Double)]
    /// How many photos were not of the input size's aspect/size and were resized (all are
    /// resized to the input size; this counts those whose size differs from the first).
    public var otherSizes: Int
    /// The saved model's training photos scored out of fold, and what its threshold does on them.
    public var outOfFoldScores: OutOfFoldScores
    public var thresholdReport: ThresholdReport
    /// Nested cross-validated figures of the fused model and its parts (empty without a head).
    public var crossValidated: [CrossValidatedOutcome]
    /// Why a part was saved instead of the fused model; nil otherwise.
    public var scoringNote: String?
    /// Images left out because they could not be read (only with `skipUnreadable`).
    public var skipped: [SkippedImage]
    /// Good and anomalous training images with the same bytes: the labels contradict each other.
    public var photosInBothClasses: [(good: String, anomalous: String)]
    /// What the good training photos looked like, for drift monitoring (`baseline.json`).
    public var baseline: MonitoringBaseline
    /// The segmentation's out-of-fold figures on the training photos; nil without masks.
    public var segmentation: SegmentationReport? = nil
    /// Why masks were given but no segmentation was learnt; nil otherwise.
    public var segmentationNote: String? = nil
}

/// Where a training run is: `done` of `total` items of `phase`, and `overall`, the estimated
/// share of the whole run done (0 to 1, for an estimate of the time left).
public struct TrainingProgressEvent: Sendable {
    public var phase: String
    public var done: Int
    public var total: Int
    public var overall: Double

    public init(phase: String, done: Int, total: Int, overall: Double) {
        self.phase = phase
        self.done = done
        self.total = total
        self.overall = overall
    }
}

/// Receives training progress, possibly from worker threads.
public typealias TrainingProgress = @Sendable (TrainingProgressEvent) -> Void
