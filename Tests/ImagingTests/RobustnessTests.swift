import Testing
@testable import Imaging
import ImagingRobustness

/// Damaged input must give an error or an image: never a crash, a hang or an escape from
/// the C libraries (libjpeg's exit(), libpng's longjmp). tools/test.sh runs the same torture
/// under AddressSanitizer and LeakSanitizer for leaks and out-of-bounds accesses.
@Suite("Truncated and mutated files")
struct RobustnessTests {
    static let files = ["png-rgba8.png", "png-palette4-trns.png", "png-rgb16-interlaced.png",
                        "jpeg-baseline.jpg", "jpeg-progressive.jpg", "jpeg-cmyk-adobe.jpg",
                        "jpeg-exif-orientation-6.jpg"]

    @Test(arguments: files)
    func everyPrefixDecodesOrFails(_ name: String) throws {
        let bytes = try Fixture.bytes(name)
        let report = DecoderTorture.prefixes(of: bytes, name: name)
        #expect(report.defects == [])
        #expect(report.attempts == bytes.count + 1)
        // Only prefixes that end after the last image data can still give a whole image,
        // and the complete file must be one of them.
        #expect(report.decoded >= 1 && report.decoded < 64, "\(report.decoded) of \(report.attempts) prefixes decoded")
    }

    @Test(arguments: files)
    func randomMutationsDecodeOrFail(_ name: String) throws {
        let report = DecoderTorture.mutations(of: try Fixture.bytes(name), name: name, rounds: 500, seed: 0x5EED)
        #expect(report.defects == [])
        #expect(report.attempts == 500)
        // The mutations must actually reach the decoders' error paths.
        #expect(report.failed > 0)
    }
}
