import Testing
import SeededRandom

/// SplitMix64 outputs computed independently (Python integers mod 2^64 with the reference
/// constants 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB), so a mistyped
/// constant cannot pass.
struct SeededGeneratorTests {
    @Test(arguments: [
        (UInt64(0), [UInt64(0xE220_A839_7B1D_CDAF), 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F, 0xF88B_B8A8_724C_81EC]),
        (UInt64(1), [UInt64(0x910A_2DEC_8902_5CC1), 0xBEEB_8DA1_658E_EC67, 0xF893_A2EE_FB32_555E, 0x71C1_8690_EE42_C90B]),
        // Seed 1234567: 6457827717110365317, 3203168211198807973, ... in decimal.
        (UInt64(1_234_567), [UInt64(0x599E_D017_FB08_FC85), 0x2C73_F084_5854_0FA5, 0x883E_BCE5_A3F2_7C77, 0x3FBE_F740_E917_7B3F]),
    ])
    func matchesReferenceSplitMix64(seed: UInt64, expected: [UInt64]) {
        var rng = SeededGenerator(seed: seed)
        let got = expected.map { _ in rng.next() }
        #expect(got == expected, "seed \(seed): got \(got.map { String($0, radix: 16) })")
    }

    @Test func gaussianSamplesHaveUnitMoments() {
        var rng = SeededGenerator(seed: 11)
        let n = 20_000
        let samples = (0..<n).map { _ in Double(rng.nextGaussian()) }
        let mean = samples.reduce(0, +) / Double(n)
        let variance = samples.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n - 1)
        // Standard errors: 1/sqrt(n) = 0.007 for the mean, sqrt(2/n) = 0.01 for the variance.
        print("gaussian: mean \(mean), variance \(variance) over \(n) samples")
        #expect(abs(mean) < 0.03 && abs(variance - 1) < 0.05, "mean \(mean) variance \(variance)")
    }
}
