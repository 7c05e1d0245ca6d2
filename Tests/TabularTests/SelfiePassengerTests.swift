import Foundation
import Testing
import Tabular
import TestSupport

/// A face reading becomes a survival answer that carries the face model's uncertainty: the
/// probability is averaged over sex and age, the range is shown, and a small or doubtful face
/// gets "unsure" instead of a confident verdict.
@Suite struct SelfiePassengerTests {
    static let model = Result { try TabularModel.load(path: TestPaths.models.appendingPathComponent(SurvivalInput.modelFile).path) }

    func probability(_ age: Double, _ sex: String, _ model: TabularModel) throws -> Double {
        try model.predict(SurvivalInput(age: age, sex: sex, pclass: 1, embarked: "C").row).Prediction.predictedScores["1"] ?? -1
    }

    @Test func theAnswerIsTheAverageOverSexAndAgeWithItsRange() throws {
        let model = try Self.model.get()
        let reading = FaceReading(age: 30, ageLow: 28, ageHigh: 32,
                                  ageWeights: [.init(age: 28, weight: 0.2), .init(age: 30, weight: 0.6), .init(age: 32, weight: 0.2), .init(age: 60, weight: 0.5)],
                                  maleProbability: 0.7, detectorConfidence: 0.99, faceSidePixels: 200)
        let estimate = try SelfiePassenger.estimate(reading, pclass: 1, embarked: "C", model: model)
        // Age 60 is outside the range and left out; the weights inside are 0.2, 0.6, 0.2.
        var expected = 0.0
        var all: [Double] = []
        for (sex, pSex) in [("male", 0.7), ("female", 0.3)] {
            for (age, w) in [(28.0, 0.2), (30.0, 0.6), (32.0, 0.2)] {
                let p = try probability(age, sex, model)
                expected += pSex * w * p
                all.append(p)
            }
        }
        #expect(abs(estimate.probability - expected) < 1e-12)
        #expect(estimate.low == all.min() && estimate.high == all.max())
        #expect(estimate.passenger == SurvivalInput(age: 30, sex: "male", pclass: 1, embarked: "C"))
        #expect(estimate.caveats.contains { $0.contains("the sex is unsure (70% male)") })
    }

    @Test func aSureFaceGetsAVerdictAndADoubtfulOneSaysWhy() throws {
        let model = try Self.model.get()
        let sure = FaceReading(age: 30, ageLow: 29, ageHigh: 31, maleProbability: 0.01, detectorConfidence: 0.999, faceSidePixels: 240)
        let woman = try SelfiePassenger.estimate(sure, pclass: 1, embarked: "C", model: model)
        // A first-class woman of 30: every age of the range is on one side of the threshold.
        #expect(woman.caveats.isEmpty, "\(woman.caveats)")
        #expect(woman.verdict == (woman.probability >= woman.threshold ? .saved : .notSaved))

        var small = sure
        small.faceSidePixels = 30
        small.detectorConfidence = 0.8
        let doubtful = try SelfiePassenger.estimate(small, pclass: 1, embarked: "C", model: model)
        #expect(doubtful.verdict == .unsure)
        #expect(doubtful.caveats.contains { $0.contains("the face is small (30 pixels") })
        #expect(doubtful.caveats.contains { $0.contains("the detector is unsure this is a face (80% confidence)") })

        // Wide uncertainty across the threshold: a child or an adult, of either sex, in second class.
        let vague = FaceReading(age: 20, ageLow: 2, ageHigh: 60, maleProbability: 0.5, detectorConfidence: 0.99, faceSidePixels: 200)
        let spread = try SelfiePassenger.estimate(vague, pclass: 2, embarked: "S", model: model)
        #expect(spread.low < spread.threshold && spread.high >= spread.threshold, "\(spread)")
        #expect(spread.verdict == .unsure)
    }

    @Test func classAndPortAreCheckedAsEverywhere() throws {
        let reading = FaceReading(age: 30, ageLow: 29, ageHigh: 31, maleProbability: 0.9, detectorConfidence: 0.99, faceSidePixels: 200)
        #expect { try SelfiePassenger.estimate(reading, pclass: 7, embarked: nil, model: try Self.model.get()) } throws: {
            "\($0)".contains("pclass 7: expected 1, 2 or 3")
        }
    }
}
