import Checksums
import Foundation
import Testing
@testable import Networks
import TestSupport

/// Weights are checked against their card's sha256 at load: a corrupted copy is refused with
/// a message naming the file, the expected and the actual hash and the script to rerun.
struct WeightsVerificationTests {
    static let models = TestPaths.models

    @Test func corruptedEfficientNetWeightsAreRefused() throws {
        let card = try EfficientNetLite0Card(contentsOf: Self.models.appendingPathComponent(EfficientNetLite0Card.fileName).path)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("effnet-corrupt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: Self.models.appendingPathComponent(EfficientNetLite0Card.fileName),
                                         to: dir.appendingPathComponent(EfficientNetLite0Card.fileName))
        var bytes = try Data(contentsOf: Self.models.appendingPathComponent(card.weightsFile))
        #expect(SHA256.hex(bytes) == card.weightsSHA256)   // the committed file matches its card
        bytes[bytes.count - 1] ^= 0x01                      // one bit in the last weight
        let corrupted = dir.appendingPathComponent(card.weightsFile)
        try bytes.write(to: corrupted)
        let actual = SHA256.hex(bytes)
        let error = #expect(throws: SafetensorsError.self) { try EfficientNetLite0.load(from: dir) }
        #expect(error?.description == "\(corrupted.path): sha256 \(actual) does not match its card (\(card.weightsSHA256)); regenerate with tools/models/make-effnet.sh")
    }
}
