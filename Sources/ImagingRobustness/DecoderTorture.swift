import Imaging
import SeededRandom

/// Feeds damaged copies of image files to the decoders: every prefix (truncation at each
/// byte) and seeded random mutations (1 to 8 bytes overwritten, bit-flipped or set to
/// 0x00/0xFF/0x7F/0x80). Each must give an error or a self-consistent image; never a crash,
/// a hang or an escape from the C libraries. Used by the test suite and, under
/// AddressSanitizer/LeakSanitizer, by tools/test.sh through the `imaging-robustness` binary.
public struct TortureReport: Sendable, Equatable {
    public var attempts = 0
    public var decoded = 0
    public var failed = 0
    /// Problems found: inconsistent images or errors without a reason.
    public var defects: [String] = []
}

public enum DecoderTorture {
    /// Decodes one damaged input and records the outcome.
    static func attempt(_ bytes: [UInt8], label: String, into report: inout TortureReport) {
        report.attempts += 1
        do {
            let image = try ImageDecoder.decode(bytes, options: DecodeOptions(maxPixels: 4_000_000)).image
            report.decoded += 1
            if image.pixels.count != image.width * image.height * image.channels {
                report.defects.append("\(label): \(image.width)x\(image.height)x\(image.channels) image with \(image.pixels.count) bytes")
            }
        } catch {
            report.failed += 1
            if error.reason.isEmpty { report.defects.append("\(label): error without a reason") }
        }
    }

    /// Every prefix of the file, from empty to complete.
    public static func prefixes(of bytes: [UInt8], name: String) -> TortureReport {
        var report = TortureReport()
        for length in 0...bytes.count {
            attempt(Array(bytes.prefix(length)), label: "\(name)[..<\(length)]", into: &report)
        }
        return report
    }

    /// `rounds` seeded random mutations of the file.
    public static func mutations(of original: [UInt8], name: String, rounds: Int, seed: UInt64) -> TortureReport {
        var report = TortureReport()
        guard !original.isEmpty else { return report }
        var random = SeededGenerator(seed: seed ^ UInt64(original.count))
        for round in 0..<rounds {
            var bytes = original
            for _ in 0..<(1 + Int(random.next() % 8)) {
                let at = Int(random.next() % UInt64(bytes.count))
                switch random.next() % 3 {
                case 0: bytes[at] = UInt8(truncatingIfNeeded: random.next())
                case 1: bytes[at] ^= 1 << UInt8(random.next() % 8)
                default: bytes[at] = [0x00, 0xFF, 0x7F, 0x80][Int(random.next() % 4)]
                }
            }
            attempt(bytes, label: "\(name) mutation \(round)", into: &report)
        }
        return report
    }
}
