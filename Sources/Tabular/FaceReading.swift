import Foundation

/// What a face model read from a selfie, with its uncertainty: an age distribution over whole
/// years (the weights need not sum to 1), the probability that the face is male, how sure the
/// detector is that it is a face, and the face's size in the photo.
public struct FaceReading: Sendable, Equatable, Codable {
    public struct AgeWeight: Sendable, Equatable, Codable {
        public var age: Double
        public var weight: Double
        public init(age: Double, weight: Double) { self.age = age; self.weight = weight }
    }

    /// The point estimate of the age, in years.
    public var age: Double
    /// The age range the face model gives (its 10% and 90% quantiles).
    public var ageLow: Double
    public var ageHigh: Double
    /// The age model's probabilities inside the range; empty means uniform over its whole years.
    public var ageWeights: [AgeWeight]
    public var maleProbability: Double
    /// The detector's face probability, 0-1.
    public var detectorConfidence: Double
    /// The shorter side of the face's box, in pixels of the photo the networks saw.
    public var faceSidePixels: Double

    public init(age: Double, ageLow: Double, ageHigh: Double, ageWeights: [AgeWeight] = [], maleProbability: Double,
                detectorConfidence: Double, faceSidePixels: Double) {
        self.age = age
        self.ageLow = ageLow
        self.ageHigh = ageHigh
        self.ageWeights = ageWeights
        self.maleProbability = maleProbability
        self.detectorConfidence = detectorConfidence
        self.faceSidePixels = faceSidePixels
    }

    /// The ages the answer averages over, with weights summing to 1: the model's weights inside
    /// the range when it gave some, else every whole year of the range alike.
    var ageDistribution: [AgeWeight] {
        let inside = ageWeights.filter { $0.age >= ageLow && $0.age <= ageHigh && $0.weight > 0 }
        let total = inside.reduce(0) { $0 + $1.weight }
        if total > 0 { return inside.map { AgeWeight(age: $0.age, weight: $0.weight / total) } }
        let years = stride(from: ageLow.rounded(.down), through: ageHigh.rounded(.up), by: 1).map { $0 }
        let ages = years.isEmpty ? [age.rounded()] : years
        return ages.map { AgeWeight(age: $0, weight: 1 / Double(ages.count)) }
    }
}
