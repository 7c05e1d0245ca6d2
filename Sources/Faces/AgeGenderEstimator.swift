import Foundation
import Imaging
import Networks
import Tensors

/// One face's age and gender as the networks see it.
public struct AgeGenderEstimate: Sendable, Equatable {
    /// Probability-weighted mean of the age bins (the reference rounds this to whole years).
    public var age: Float
    /// Probability of each age bin.
    public var ageProbabilities: [Float]
    /// Probability that the face is male (the gender network's second class).
    public var maleProbability: Float
}

/// The age and gender networks with their chip sizes, normalisation and age bins.
public struct AgeGenderEstimator: Sendable {
    public let ageNetwork: FaceAgeNetwork
    public let genderNetwork: FaceGenderNetwork
    public let ageBins: [Float]
    /// Face-chip padding both networks were trained with (dlib's get_face_chip_details).
    public let chipPadding: Double
    public let ageChipSize: Int
    public let genderChipSize: Int
    /// Also run the networks on the mirrored chips and average the probabilities (test-time
    /// augmentation; off reproduces the reference package exactly).
    public var averageMirrored = true
    let ageNormalization: ChannelNormalization
    let genderNormalization: ChannelNormalization

    public init(modelsDirectory directory: URL) throws {
        let age = try FaceModelFiles(directory: directory, name: "face-age")
        let gender = try FaceModelFiles(directory: directory, name: "face-gender")
        ageNetwork = try Self.wrap(age) { try FaceAgeNetwork(weights: $0) }
        genderNetwork = try Self.wrap(gender) { try FaceGenderNetwork(weights: $0) }
        guard let bins = age.card.output?.age_bins, bins.count == FaceAgeNetwork.classes else {
            throw FacesError(file: "face-age.json", reason: "needs \(FaceAgeNetwork.classes) output.age_bins")
        }
        ageBins = bins
        ageNormalization = try Self.normalization(age.card)
        genderNormalization = try Self.normalization(gender.card)
        chipPadding = age.card.input?.chip?.padding ?? 0.2
        ageChipSize = FaceAgeNetwork.inputSize
        genderChipSize = FaceGenderNetwork.inputSize
        guard age.card.input?.height == ageChipSize, gender.card.input?.height == genderChipSize else {
            throw FacesError(file: "face-age.json", reason: "card input sizes differ from the networks' (64 and 32)")
        }
    }

    private static func wrap<T>(_ files: FaceModelFiles, _ build: (SafetensorsFile) throws -> T) throws -> T {
        do { return try build(files.weights) } catch {
            throw FacesError(file: files.weights.source, reason: "\(error)")
        }
    }

    /// (RGB byte - mean) * scale, expressed in Imaging's (p / 255 - mean') / std' form.
    private static func normalization(_ card: FaceModelCard) throws -> ChannelNormalization {
        guard let mean = card.input?.mean, mean.count == 3, let scale = card.input?.scale, scale > 0 else {
            throw FacesError(file: card.name + ".json", reason: "needs input.mean (3 values) and input.scale")
        }
        return ChannelNormalization(mean: mean.map { $0 / 255 }, std: [Float](repeating: 1 / (255 * scale), count: 3))
    }

    /// Stacks RGB chips of one size into a normalised NHWC batch.
    static func batch(_ chips: [Image], size: Int, _ normalization: ChannelNormalization) -> Tensor {
        let t = Tensor(shape: [chips.count, size, size, 3])
        for (i, chip) in chips.enumerated() {
            precondition(chip.width == size && chip.height == size && chip.format == .rgb, "chip must be \(size)x\(size) RGB")
            chip.writeNormalized(normalization, into: t.data + i * size * size * 3)
        }
        return t
    }

    /// Runs both networks over aligned chips (one age chip and one gender chip per face).
    public func estimate(ageChips: [Image], genderChips: [Image]) -> [AgeGenderEstimate] {
        precondition(ageChips.count == genderChips.count, "one age chip and one gender chip per face")
        guard !ageChips.isEmpty else { return [] }
        let n = ageChips.count
        let mirror = { (chips: [Image]) in averageMirrored ? chips + chips.map { $0.flippedHorizontally() } : chips }
        let ages = ageProbabilities(Self.batch(mirror(ageChips), size: ageChipSize, ageNormalization)).scalars
        let genders = genderProbabilities(Self.batch(mirror(genderChips), size: genderChipSize, genderNormalization)).scalars
        // Row i, averaged with its mirrored copy (row n + i) when there is one.
        func row(_ values: [Float], _ i: Int, _ width: Int) -> [Float] {
            let own = values[i * width..<(i + 1) * width]
            guard averageMirrored else { return Array(own) }
            return zip(own, values[(n + i) * width..<(n + i + 1) * width]).map { ($0 + $1) / 2 }
        }
        return (0..<n).map { i in
            let p = row(ages, i, ageBins.count)
            // Accumulated in bin order in Float, as the reference does.
            var expected: Float = 0
            for (bin, probability) in zip(ageBins, p) { expected += bin * probability }
            return AgeGenderEstimate(age: expected, ageProbabilities: p, maleProbability: row(genders, i, 2)[1])
        }
    }

    /// [N, 81] age-bin probabilities for normalised [N, 64, 64, 3] chips.
    public func ageProbabilities(_ chips: Tensor) -> Tensor { ageNetwork.probabilities(chips) }
    /// [N, 2] (female, male) probabilities for normalised [N, 32, 32, 3] chips.
    public func genderProbabilities(_ chips: Tensor) -> Tensor { genderNetwork.probabilities(chips) }

    /// Normalises byte-valued chips ([N, S, S, 3] floats 0-255) for the named network; for
    /// fixtures that store chips as numbers.
    public func normalizedChips(bytes: Tensor, forAge: Bool) -> Tensor {
        let norm = forAge ? ageNormalization : genderNormalization
        let out = bytes.copy()
        let c = 3
        for i in 0..<out.count {
            let ch = i % c
            out.data[i] = (out.data[i] / 255 - norm.mean[ch]) / norm.std[ch]
        }
        return out
    }
}
