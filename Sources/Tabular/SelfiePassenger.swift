import Foundation

/// The survival answer for a passenger read from a selfie, uncertainty included.
public struct SelfieSurvivalEstimate: Sendable, Equatable, Codable {
    public enum Verdict: String, Sendable, Codable {
        case saved = "likely saved", notSaved = "likely not saved", unsure = "unsure"
    }

    /// The survival probability averaged over the sex probability (a sex under 5% left out)
    /// and the age distribution.
    public var probability: Double
    /// The lowest and highest probability over the ages of the range and each sex the face
    /// model gives at least `SelfiePassenger.sexConsidered`.
    public var low: Double
    public var high: Double
    public var threshold: Double
    public var verdict: Verdict
    /// Why the answer is not confident, in words (empty when it is).
    public var caveats: [String]
    /// The most likely passenger: the point age, rounded, and the likelier sex.
    public var passenger: SurvivalInput
}

/// Turns what a face model read into a Titanic passenger and asks the survival model, carrying
/// the face model's uncertainty into the answer instead of scoring one guessed passenger.
public enum SelfiePassenger {
    /// Below this the detector is not sure it found a face (MTCNN's output probability; real
    /// faces in photos usually score above 0.95).
    public static let minimumDetectorConfidence = 0.9
    /// The age network sees a 64-pixel chip: a smaller face is enlarged, and its age and sex
    /// are guesses.
    public static let minimumFaceSidePixels = 64.0
    /// A sex with less probability than this is left out of the average and the range.
    public static let sexConsidered = 0.05
    /// Below this probability for the likelier sex, the sex is called unsure.
    public static let minimumSexProbability = 0.75

    /// The averaged probability, its range and a verdict that says "unsure" (with the reasons)
    /// when the face is small, the detector unsure, or the range straddles the threshold.
    public static func estimate(_ reading: FaceReading, pclass: Int?, embarked: String?,
                                model: TabularModel) throws(TabularError) -> SelfieSurvivalEstimate {
        let male = min(1, max(0, reading.maleProbability))
        // A sex under `sexConsidered` counts as ruled out and the other takes its share, so
        // the average is one of the passengers the range spans.
        let sexes = [("male", male), ("female", 1 - male)].filter { $0.1 >= sexConsidered }
        let sexTotal = sexes.reduce(0) { $0 + $1.1 }
        let ages = reading.ageDistribution
        var expected = 0.0
        var low = Double.infinity, high = -Double.infinity
        for (sex, pSex) in sexes {
            for a in ages {
                let p = try probability(age: a.age, sex: sex, pclass: pclass, embarked: embarked, model: model)
                expected += pSex / sexTotal * a.weight * p
                low = min(low, p)
                high = max(high, p)
            }
        }
        let pointSex = male >= 0.5 ? "male" : "female"
        let passenger = try SurvivalInput(age: min(120, max(0, reading.age.rounded())), sex: pointSex, pclass: pclass, embarked: embarked)
            .readyToPredict()
        let threshold = model.threshold
        var caveats: [String] = []
        if reading.faceSidePixels < minimumFaceSidePixels {
            caveats.append("the face is small (\(Int(reading.faceSidePixels)) pixels across; at least \(Int(minimumFaceSidePixels)) are needed for a reliable age and sex)")
        }
        if reading.detectorConfidence < minimumDetectorConfidence {
            caveats.append("the detector is unsure this is a face (\(percent(reading.detectorConfidence)) confidence)")
        }
        if max(male, 1 - male) < minimumSexProbability {
            caveats.append("the sex is unsure (\(percent(male)) male)")
        }
        let straddles = low < threshold && high >= threshold
        if straddles {
            caveats.append("over the age range \(SurvivalInput.fieldText(reading.ageLow))-\(SurvivalInput.fieldText(reading.ageHigh)) and the likely sexes the probability runs from \(decimal(low)) to \(decimal(high)), across the threshold \(decimal(threshold))")
        }
        let unsure = straddles || reading.faceSidePixels < minimumFaceSidePixels || reading.detectorConfidence < minimumDetectorConfidence
        let verdict: SelfieSurvivalEstimate.Verdict = unsure ? .unsure : (expected >= threshold ? .saved : .notSaved)
        return SelfieSurvivalEstimate(probability: expected, low: low.isFinite ? low : expected, high: high.isFinite ? high : expected,
                                      threshold: threshold, verdict: verdict, caveats: caveats, passenger: passenger)
    }

    /// The model's survival probability for one passenger.
    static func probability(age: Double, sex: String, pclass: Int?, embarked: String?, model: TabularModel) throws(TabularError) -> Double {
        let row = try SurvivalInput(age: min(120, max(0, age)), sex: sex, pclass: pclass, embarked: embarked).readyToPredict().row
        do { return try model.predict(row).Prediction.predictedScores["1"] ?? 0 } catch let error as TabularError { throw error } catch {
            throw TabularError("\(error)")
        }
    }

    static func percent(_ p: Double) -> String { "\(Int((100 * p).rounded()))%" }
    static func decimal(_ p: Double) -> String { String(format: "%.2f", p) }
}
