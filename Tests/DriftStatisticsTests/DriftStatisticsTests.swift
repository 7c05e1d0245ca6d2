import DriftStatistics
import Foundation
import SeededRandom
import Testing
import TestSupport

/// SciPy's values (tools/fixtures/make-drift-fixture.sh writes Fixtures/drift-reference.json).
struct DriftReference: Decodable {
    struct KSCase: Decodable {
        var name: String, a: [Double], b: [Double], statistic: Double, greaterStatistic: Double, greaterPValue: Double
    }
    struct Tail: Decodable { var lambda: Double; var tail: Double }
    struct Binomial: Decodable { var k: Int; var n: Int; var p: Double; var pValue: Double }
    var ks: [KSCase]
    var kolmogorov: [Tail]
    var binomial: [Binomial]

    static func load() throws -> DriftReference {
        try JSONDecoder().decode(DriftReference.self, from: Data(contentsOf: TestPaths.fixtures().appendingPathComponent("drift-reference.json")))
    }
}

@Suite struct DriftStatisticsTests {
    @Test func psiOfSharesMatchesTheTextbookSum() {
        // (0.5 - 0.25) ln 2 + 0 + (0.25 - 0.5) ln 0.5 = 0.5 ln 2.
        let psi = PopulationStability.index(expected: [0.25, 0.25, 0.5], actual: [0.5, 0.25, 0.25])
        #expect(abs(psi - 0.5 * log(2.0)) < 1e-12, "\(psi)")
        #expect(PopulationStability.index(expected: [0.1, 0.9], actual: [0.1, 0.9]) == 0)
    }

    @Test func psiBinsAndSmoothing() throws {
        // A constant reference gets bins below, at and above its value.
        let constant = PopulationStability.edges(reference: [320, 320, 320], quantiles: 10)
        #expect(constant.count == 2 && constant[1] == 320 && constant[0] < 320 && constant[0] > 319.999, "\(constant)")
        #expect(PopulationStability.bin(of: 319, edges: constant) == 0)
        #expect(PopulationStability.bin(of: 320, edges: constant) == 1)
        #expect(PopulationStability.bin(of: 321, edges: constant) == 2)
        // Inner quartiles of 1...9 are 3, 5, 7; bin j holds (e_(j-1), e_j].
        #expect(PopulationStability.edges(reference: (1...9).map(Double.init), quantiles: 4) == [3, 5, 7])
        #expect(PopulationStability.bin(of: 2, edges: [1, 2, 3]) == 1)
        #expect(PopulationStability.bin(of: 1, edges: [1, 2, 3]) == 0)
        #expect(PopulationStability.bin(of: 2.5, edges: [1, 2, 3]) == 2)
        #expect(PopulationStability.bin(of: 3.5, edges: [1, 2, 3]) == 3)
        // All of the current sample below the reference: with 3 bins and half-count smoothing,
        // e = (0.5, 40.5, 0.5) / 41.5, a = (40.5, 0.5, 0.5) / 41.5.
        let moved = try #require(PopulationStability(reference: [Double](repeating: 320, count: 40), current: [Double](repeating: 160, count: 40)))
        let expected = (40.0 / 41.5) * log(81.0) + (-40.0 / 41.5) * log(1 / 81.0)
        #expect(abs(moved.index - expected) < 1e-12, "\(moved.index) vs \(expected)")
        let same = try #require(PopulationStability(reference: [Double](repeating: 320, count: 40), current: [Double](repeating: 320, count: 25)))
        #expect(same.index < 0.01, "\(same.index)")
        #expect(moved.bins.count == 3 && moved.bins[1].upper == 320 && moved.bins[2].lower == 320)
    }

    @Test func psiSeparatesShiftedFromSameDistributionSamples() throws {
        var rng = SeededGenerator(seed: 3)
        let reference = (0..<400).map { _ in Double(rng.nextGaussian()) }
        let same = (0..<300).map { _ in Double(rng.nextGaussian()) }
        let shifted = (0..<300).map { _ in Double(rng.nextGaussian()) + 1 }
        let quiet = try #require(PopulationStability(reference: reference, current: same)).index
        let loud = try #require(PopulationStability(reference: reference, current: shifted)).index
        #expect(quiet < 0.15, "PSI \(quiet) of a same-distribution sample")
        #expect(loud > 0.25, "PSI \(loud) of a sample shifted by one standard deviation")
    }

    @Test func ksStatisticMatchesSciPy() throws {
        for c in try DriftReference.load().ks {
            let ks = try #require(KolmogorovSmirnov(c.a, c.b))
            #expect(abs(ks.statistic - c.statistic) < 1e-12, "\(c.name): D \(ks.statistic) vs scipy \(c.statistic)")
        }
        #expect(KolmogorovSmirnov.statistic([1, 2, 3], [1, 2, 3]) == 0)
    }

    @Test func oneSidedKSMatchesSciPy() throws {
        for c in try DriftReference.load().ks {
            let ks = try #require(KolmogorovSmirnov(c.a, secondLarger: c.b))
            #expect(abs(ks.statistic - c.greaterStatistic) < 1e-12, "\(c.name): D+ \(ks.statistic) vs scipy \(c.greaterStatistic)")
            #expect(abs(ks.pValue - c.greaterPValue) <= 1e-9 * c.greaterPValue, "\(c.name): p \(ks.pValue) vs scipy \(c.greaterPValue)")
        }
        // A sample shifted down is no evidence of larger values.
        let lower = try #require(KolmogorovSmirnov([1, 2, 3, 4, 5, 6], secondLarger: [-6, -5, -4, -3, -2, -1]))
        #expect(lower.statistic == 0 && lower.pValue == 1)
    }

    @Test func kolmogorovTailMatchesSciPy() throws {
        for t in try DriftReference.load().kolmogorov {
            let q = KolmogorovSmirnov.kolmogorovTail(t.lambda)
            // Relative 1e-6 (absolute 1e-12 in the far tail): both series are summed to convergence.
            #expect(abs(q - t.tail) <= max(1e-6 * t.tail, 1e-12), "Q(\(t.lambda)) = \(q), scipy \(t.tail)")
        }
        #expect(KolmogorovSmirnov.kolmogorovTail(0) == 1)
    }

    @Test func ksPValueIsSmallForShiftedAndLargeForSameSamples() throws {
        let cases = try DriftReference.load().ks
        let same = try #require(KolmogorovSmirnov(cases[0].a, cases[0].b))
        let shifted = try #require(KolmogorovSmirnov(cases[1].a, cases[1].b))
        #expect(same.pValue > 0.3, "\(same.pValue)")
        #expect(shifted.pValue < 0.01, "\(shifted.pValue)")
    }

    @Test func binomialUpperTailMatchesSciPy() throws {
        for b in try DriftReference.load().binomial {
            let p = BinomialTest.upperTail(successes: b.k, trials: b.n, probability: b.p)
            #expect(abs(p - b.pValue) <= max(1e-9 * b.pValue, 1e-15), "P(X >= \(b.k) | \(b.n), \(b.p)) = \(p), scipy \(b.pValue)")
        }
        // 8 or more heads in 10 fair tosses: (45 + 10 + 1) / 1024.
        #expect(abs(BinomialTest.upperTail(successes: 8, trials: 10, probability: 0.5) - 56.0 / 1024) < 1e-15)
        #expect(BinomialTest.upperTail(successes: 1, trials: 10, probability: 0) == 0)
    }

    @Test func mmdPermutationPValueSeparatesShiftedFromSameDistribution() throws {
        var rng = SeededGenerator(seed: 11)
        func sample(_ count: Int, shift: Float) -> [[Float]] {
            (0..<count).map { _ in (0..<16).map { d in rng.nextGaussian() + (d < 4 ? shift : 0) } }
        }
        let reference = sample(80, shift: 0)
        let same = try #require(MaximumMeanDiscrepancy(reference, sample(60, shift: 0), permutations: 200, seed: 1))
        let shifted = try #require(MaximumMeanDiscrepancy(reference, sample(60, shift: 0.8), permutations: 200, seed: 1))
        #expect(same.pValue > 0.05, "p \(same.pValue), MMD² \(same.mmdSquared)")
        #expect(shifted.pValue < 0.01, "p \(shifted.pValue), MMD² \(shifted.mmdSquared)")
        #expect(shifted.mmdSquared > same.mmdSquared)
        // The p-value's smallest value is 1 / (1 + permutations); the same seed repeats it.
        #expect(shifted.pValue >= 1.0 / 201)
        let current = sample(60, shift: 0.3)
        let first = try #require(MaximumMeanDiscrepancy(reference, current, permutations: 50, seed: 5))
        let second = try #require(MaximumMeanDiscrepancy(reference, current, permutations: 50, seed: 5))
        #expect(first == second)
    }
}
