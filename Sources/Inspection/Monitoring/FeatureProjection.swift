import SeededRandom

/// What fixes a feature sketch's projection: the length of the pooled features it reads,
/// the sketch's length and the generator's seed. Stored in `baseline.json`, so the server
/// sketches captured photos with the same matrix.
public struct FeatureSketchParameters: Sendable, Codable, Equatable {
    public var inputDimension: Int
    public var dimension: Int
    public var seed: UInt64

    public static let defaultDimension = 16
    public static let defaultSeed: UInt64 = 0x5EED_0F_D21F7

    public init(inputDimension: Int, dimension: Int = defaultDimension, seed: UInt64 = defaultSeed) {
        self.inputDimension = inputDimension
        self.dimension = dimension
        self.seed = seed
    }
}

/// A photo's feature sketch: the global average of its patch features (the model's own
/// patch grid, so no extra network pass) times a fixed Gaussian random matrix R
/// (`dimension` x `inputDimension`, entries N(0, 1/dimension)). By the Johnson-Lindenstrauss
/// lemma such a projection keeps distances between the pooled vectors within a small factor
/// with high probability, which is what the MMD test of `inspect monitor` compares.
public struct FeatureProjection: Sendable {
    public let parameters: FeatureSketchParameters
    private let matrix: [Float]

    public init(_ parameters: FeatureSketchParameters) {
        self.parameters = parameters
        var rng = SeededGenerator(seed: parameters.seed)
        let scale = 1 / Float(max(1, parameters.dimension)).squareRoot()
        matrix = (0..<(parameters.dimension * parameters.inputDimension)).map { _ in rng.nextGaussian() * scale }
    }

    /// The sketch of a patch grid (empty when its features are not `inputDimension` long).
    public func sketch(_ grid: PatchGrid) -> [Float] {
        let d = parameters.inputDimension
        guard grid.dimension == d, grid.patchCount > 0 else { return [] }
        var mean = [Double](repeating: 0, count: d)
        grid.values.withUnsafeBufferPointer { v in
            for p in 0..<grid.patchCount {
                let base = p * d
                for j in 0..<d { mean[j] += Double(v[base + j]) }
            }
        }
        let inverse = 1 / Double(grid.patchCount)
        return (0..<parameters.dimension).map { row in
            var s = 0.0
            for j in 0..<d { s += Double(matrix[row * d + j]) * mean[j] * inverse }
            return Float(s)
        }
    }
}
