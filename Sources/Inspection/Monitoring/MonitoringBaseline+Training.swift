import Imaging

extension MonitoringBaseline {
    /// The baseline of a training run, from what training already has: the good photos'
    /// out-of-fold scores, their statistics (taken from the features step's decode) and their
    /// stored patch grids (the sketches), and the saved threshold's false-alarm figures.
    static func fromTraining(scores: OutOfFoldScores, thresholdReport: ThresholdReport, goodPhotos: [Int], statistics: [ImageStatistics],
                             store: PatchGridStore, model: InspectionModel, card: ModelCard) -> MonitoringBaseline {
        let goodScores = zip(scores.model, scores.labels).filter { !$0.1 }.map(\.0)
        let sketches = evenlySpread(goodPhotos.count, count: maximumSketches).map { k in
            model.sketchProjection.sketch(store.grid(goodPhotos[k], stride8Weight: model.stride8Weight))
        }
        let quality: Quality
        if let metrics = card.trainingMetrics {
            quality = Quality(precision: metrics.precision, recall: metrics.recall, f1: metrics.f1, measuredOn: card.evaluatedOn)
        } else {
            let o = thresholdReport.outOfFold
            quality = Quality(precision: o.precision, recall: o.recall, f1: o.f1, measuredOn: "the training photos scored out of fold")
        }
        return MonitoringBaseline(threshold: thresholdReport.threshold, falseAlarmRate: thresholdReport.falseAlarmRate,
                                  expectedAnomalyRate: thresholdReport.falseAlarmBound, goodScores: goodScores,
                                  photos: goodPhotos.compactMap { $0 < statistics.count ? statistics[$0] : nil },
                                  featureSketch: model.sketchProjection.parameters, sketches: sketches, quality: quality)
    }
}
