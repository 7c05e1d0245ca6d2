import Faces
import Tabular

extension FaceReading {
    /// What the face networks read from one face: the age bins' probabilities inside the
    /// reported age range, the male probability, the detector's score and the box's shorter side.
    public init(_ face: AnalyzedFace, ageBins: [Float]) {
        let range = face.detail.AgeRange
        let weights = zip(ageBins, face.estimate.ageProbabilities).map { AgeWeight(age: Double($0), weight: Double($1)) }
        self.init(age: face.detail.Age, ageLow: Double(range.Low), ageHigh: Double(range.High), ageWeights: weights,
                  maleProbability: Double(face.estimate.maleProbability), detectorConfidence: Double(face.detection.score),
                  faceSidePixels: min(face.detection.width, face.detection.height))
    }
}

extension Array where Element == AnalyzedFace {
    /// The selfie's subject: the largest face.
    public var subject: AnalyzedFace? {
        self.max { $0.detail.BoundingBox.Width * $0.detail.BoundingBox.Height < $1.detail.BoundingBox.Width * $1.detail.BoundingBox.Height }
    }
}

/// `POST /v1/survival/selfie` and `inspect survival --selfie --json`: the face used, how many
/// were found, the passenger read from it, the Amazon ML prediction (its score is the
/// estimate's averaged probability) and the estimate with its range and caveats.
public struct SelfieSurvivalAnswer: Encodable, Sendable {
    public var Face: FaceDetail
    public var FacesFound: Int
    public var UsedInput: SurvivalInput
    public var Prediction: PredictionBody
    public var Estimate: SelfieSurvivalEstimate

    public init(face: AnalyzedFace, facesFound: Int, estimate: SelfieSurvivalEstimate) {
        Face = face.detail
        FacesFound = facesFound
        UsedInput = estimate.passenger
        Prediction = PredictResponse(score: estimate.probability, threshold: estimate.threshold).Prediction
        Estimate = estimate
    }
}
