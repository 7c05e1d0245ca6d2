import Testing
@testable import ClassifierMetrics

@Suite struct CalibrationTests {
    @Test func reliabilityBinsAndExpectedCalibrationErrorByHand() {
        // Bin 0.6-0.7: confidences 0.6, 0.6 (one right): |0.5 - 0.6| = 0.1 over 2.
        // Bin 0.9-1.0: confidences 0.9, 1.0 (both right): |1 - 0.95| = 0.05 over 2.
        let bins = CalibrationMetrics.reliability(confidences: [0.6, 0.6, 0.9, 1.0], correct: [true, false, true, true])
        #expect(bins.count == 2)
        #expect(bins[0].count == 2 && abs(bins[0].accuracy - 0.5) < 1e-12 && abs(bins[0].meanConfidence - 0.6) < 1e-12)
        #expect(bins[1].count == 2 && abs(bins[1].meanConfidence - 0.95) < 1e-12)
        #expect(abs(CalibrationMetrics.expectedCalibrationError(bins) - (2 * 0.1 + 2 * 0.05) / 4) < 1e-12)
        #expect(CalibrationMetrics.expectedCalibrationError([]) == 0)
    }
}
