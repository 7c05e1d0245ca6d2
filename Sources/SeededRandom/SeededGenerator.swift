// Seeded random numbers, so that initialisation, data shuffling, splits and tests are reproducible.
import Foundation

/// SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators",
/// OOPSLA 2014): a small, fast generator whose whole state is one 64-bit word. Each call adds
/// the golden-ratio increment 0x9E3779B97F4A7C15 to the state and mixes it with the
/// MurmurHash3-style finaliser (shift-xor 30, multiply 0xBF58476D1CE4E5B9, shift-xor 27,
/// multiply 0x94D049BB133111EB, shift-xor 31), the constants of the reference splitmix64.c.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A standard normal sample (Box-Muller transform).
    public mutating func nextGaussian() -> Float {
        let u1 = Double.random(in: Double.leastNonzeroMagnitude..<1, using: &self)
        let u2 = Double.random(in: 0..<1, using: &self)
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }
}
