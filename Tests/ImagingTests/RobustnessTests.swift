import Testing
@testable import Imaging

/// Damaged input must give an error or an image: never a crash, a hang or an escape from
/// the C libraries (libjpeg's exit(), libpng's longjmp). Memory leaks on these paths are
/// checked separately under valgrind by tools/check-imaging-leaks.sh.
@Suite("Truncated and mutated files")
struct RobustnessTests {
    static let files = ["png-rgba8.png", "png-palette4-trns.png", "png-rgb16-interlaced.png",
                        "jpeg-baseline.jpg", "jpeg-progressive.jpg", "jpeg-cmyk-adobe.jpg",
                        "jpeg-exif-orientation-6.jpg"]

    /// Decodes and checks the result is self-consistent; returns whether it decoded.
    @discardableResult
    static func tryDecode(_ bytes: [UInt8]) -> Bool {
        do {
            let decoded = try ImageDecoder.decode(bytes, options: DecodeOptions(maxPixels: 4_000_000))
            let image = decoded.image
            #expect(image.pixels.count == image.width * image.height * image.channels)
            return true
        } catch {
            #expect(!error.reason.isEmpty)
            return false
        }
    }

    @Test(arguments: files)
    func everyPrefixDecodesOrFails(_ name: String) throws {
        let bytes = try Fixture.bytes(name)
        var decoded = 0
        for length in 0..<bytes.count {
            if Self.tryDecode(Array(bytes.prefix(length))) { decoded += 1 }
        }
        // Only prefixes that end after the last image data can still give a whole image.
        #expect(decoded < 64, "\(decoded) of \(bytes.count) prefixes decoded")
        #expect(Self.tryDecode(bytes))
    }

    @Test(arguments: files)
    func randomMutationsDecodeOrFail(_ name: String) throws {
        let original = try Fixture.bytes(name)
        var random = SplitMix64(seed: 0x5EED ^ UInt64(original.count))
        var failures = 0
        let rounds = 500
        for _ in 0..<rounds {
            var bytes = original
            // 1 to 8 damaged bytes; header, tables and data are all fair game.
            for _ in 0..<(1 + Int(random.next() % 8)) {
                let at = Int(random.next() % UInt64(bytes.count))
                switch random.next() % 3 {
                case 0: bytes[at] = UInt8(truncatingIfNeeded: random.next())
                case 1: bytes[at] ^= 1 << UInt8(random.next() % 8)
                default: bytes[at] = [0x00, 0xFF, 0x7F, 0x80][Int(random.next() % 4)]
                }
            }
            if !Self.tryDecode(bytes) { failures += 1 }
        }
        // The mutations must actually reach the decoders' error paths.
        #expect(failures > 0)
    }
}

/// A small deterministic generator (SplitMix64, Steele et al. 2014) for reproducible tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
