import Foundation
import Testing
@testable import Networks
import TestSupport

@Suite("safetensors")
struct SafetensorsTests {
    static let fixtures = TestPaths.fixtures()

    @Test func readsWhatTheReferenceLibraryWrote() throws {
        struct Expected: Decodable {
            struct Tensor: Decodable { let shape: [Int]; let values: [Double] }
            let metadata: [String: String]
            let tensors: [String: Tensor]
        }
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: Self.fixtures.appendingPathComponent("reference.json")))
        let file = try SafetensorsFile(contentsOf: Self.fixtures.appendingPathComponent("reference.safetensors").path)
        #expect(file.metadata == expected.metadata)
        #expect(Set(file.names) == Set(expected.tensors.keys))
        #expect(file.entries["half"]?.dtype == "F16")
        for (name, tensor) in expected.tensors {
            let (shape, values) = try file.floats(name)
            #expect(shape == tensor.shape, "\(name)")
            #expect(values == tensor.values.map { Float($0) }, "\(name)")
        }
    }

    @Test func roundTripsAndChecksShapes() throws {
        let weights: [Float] = (0..<24).map { Float($0) * 0.5 - 3 }
        let data = try SafetensorsWriter.encode([("w", [2, 3, 4], weights), ("b", [3], [1, 2, 3])], metadata: ["backbone": "test"])
        let file = try SafetensorsFile(data: data, source: "model.safetensors")
        #expect(try file.floats("w", shape: [2, 3, 4]) == weights)
        #expect(file.metadata["backbone"] == "test")
        #expect(throws: SafetensorsError(file: "model.safetensors", reason: "tensor b has shape [3], expected [4]")) {
            _ = try file.floats("b", shape: [4])
        }
        #expect(throws: SafetensorsError(file: "model.safetensors", reason: "no tensor named c")) { _ = try file.floats("c") }
    }

    @Test func damagedFilesAreRefusedWithAReason() throws {
        let good = try SafetensorsWriter.encode([("w", [4], [1, 2, 3, 4])])
        // Truncated data section: the offsets no longer fit.
        #expect(throws: SafetensorsError.self) { _ = try SafetensorsFile(data: good.prefix(good.count - 4)) }
        // Too short, or a header length pointing past the end.
        #expect(throws: SafetensorsError(file: "x", reason: "too short for a safetensors header (3 bytes)")) {
            _ = try SafetensorsFile(data: Data([1, 2, 3]), source: "x")
        }
        // Dimensions whose product overflows are refused, not trapped on.
        let huge = Data("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,16],\"data_offsets\":[0,16]}}".utf8)
        var crafted = Data(withUnsafeBytes(of: UInt64(huge.count).littleEndian) { Array($0) })
        crafted.append(huge)
        crafted.append(Data(count: 16))
        #expect(throws: SafetensorsError.self) { _ = try SafetensorsFile(data: crafted) }
        var bad = good
        bad[0] = 0xFF
        #expect(throws: SafetensorsError.self) { _ = try SafetensorsFile(data: bad) }
        // Every prefix and a flipped byte anywhere in the header: an error or a file, never a crash.
        for length in 0..<good.count { _ = try? SafetensorsFile(data: good.prefix(length)) }
        let headerLength = Int(good[0])
        for i in 8..<(8 + headerLength) {
            var mutated = good
            mutated[i] ^= 0x5A
            _ = try? SafetensorsFile(data: mutated).floats("w")
        }
    }
}
