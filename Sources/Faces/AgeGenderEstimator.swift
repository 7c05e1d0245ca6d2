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
        estimate(ageChipGroups: ageChips.map { [$0] }, genderChipGroups: genderChips.map { [$0] })
    }

    /// Runs both networks over several aligned chips per face (for example cut at slightly
    /// different boxes) and averages each face's probabilities over its chips, and over their
    /// mirror images when `averageMirrored` is on.
    public func estimate(ageChipGroups: [[Image]], genderChipGroups: [[Image]]) -> [AgeGenderEstimate] {
        precondition(ageChipGroups.count == genderChipGroups.count, "age chips and gender chips for every face")
        guard !ageChipGroups.isEmpty else { return [] }
        let mirror = { (chips: [Image]) in averageMirrored ? chips + chips.map { $0.flippedHorizontally() } : chips }
        let ageGroups = ageChipGroups.map(mirror), genderGroups = genderChipGroups.map(mirror)
        let ages = ageProbabilities(Self.batch(ageGroups.flatMap { $0 }, size: ageChipSize, ageNormalization)).scalars
        let genders = genderProbabilities(Self.batch(genderGroups.flatMap { $0 }, size: genderChipSize, genderNormalization)).scalars
        // The mean of each face's rows (rows are in face order, `counts[i]` rows for face i).
        func means(_ values: [Float], _ counts: [Int], _ width: Int) -> [[Float]] {
            var row = 0
            return counts.map { count in
                var sum = [Float](repeating: 0, count: width)
                for r in row..<(row + count) {
                    for j in 0..<width { sum[j] += values[r * width + j] }
                }
                row += count
                return sum.map { $0 / Float(count) }
            }
        }
        let ageMeans = means(ages, ageGroups.map(\.count), ageBins.count)
        let genderMeans = means(genders, genderGroups.map(\.count), 2)
        return zip(ageMeans, genderMeans).map { p, g in
            // Accumulated in bin order in Float, as the reference does.
            var expected: Float = 0
            for (bin, probability) in zip(ageBins, p) { expected += bin * probability }
            return AgeGenderEstimate(age: expected, ageProbabilities: p, maleProbability: g[1])
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
