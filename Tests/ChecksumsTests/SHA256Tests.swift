import Foundation
import Testing
@testable import Checksums

/// FIPS 180-4 / NIST example vectors.
struct SHA256Tests {
    @Test func knownVectors() {
        #expect(SHA256.hex(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Data(String(repeating: "a", count: 1000).utf8)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // Two-block message (448 bits: the padding spills into a second block).
        #expect(SHA256.hex(Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // One million "a": 15625 full blocks, then a padding-only block.
        #expect(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // A message starting at an odd address (unaligned word loads).
        let shifted = [UInt8]("xabc".utf8)
        #expect(shifted.withUnsafeBytes { SHA256.hex(UnsafeRawBufferPointer(rebasing: $0[1...])) } == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func fileDigestMatchesTheBytesAndNilWhenUnreadable() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sha256-\(UUID().uuidString)").path
        try Data("abc".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(SHA256.hex(ofFile: path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(ofFile: path + ".missing") == nil)
    }

    /// The SHA-extensions path (when this CPU has it) and the portable path agree on messages
    /// of every length around the block and padding boundaries, and on a long random one.
    @Test func hardwareAndPortableBlocksAgree() {
        var state: UInt64 = 0x9E3779B97F4A7C15
        func nextByte() -> UInt8 { state = state &* 6364136223846793005 &+ 1442695040888963407; return UInt8(truncatingIfNeeded: state >> 33) }
        let lengths = Array(0...200) + [1000, 4095, 4096, 4097, 100_003]
        for length in lengths {
            let bytes = (0..<length).map { _ in nextByte() }
            bytes.withUnsafeBytes { b in
                let portable = SHA256.hex(b, hardware: false)
                #expect(portable.count == 64)
                if SHA256.hardwareAvailable { #expect(SHA256.hex(b, hardware: true) == portable, "length \(length)") }
            }
        }
        // The known vector through both paths explicitly.
        Array("abc".utf8).withUnsafeBytes { b in
            #expect(SHA256.hex(b, hardware: false) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
            if SHA256.hardwareAvailable {
                #expect(SHA256.hex(b, hardware: true) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
            }
        }
    }
}
