import Foundation
import Testing
@testable import ScoreShards

@Suite struct ShardAssignmentTests {
    @Test func hashIsFNV1a64() {
        // The published FNV-1a test vectors: the assignment is the same on every machine.
        #expect(Shard.fnv1a64("") == 0xcbf2_9ce4_8422_2325)
        #expect(Shard.fnv1a64("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(Shard.fnv1a64("foobar") == 0x8594_4171_f739_67e8)
    }

    @Test func everyFileIsInExactlyOneShard() throws {
        let keys = (0..<500).map { "line-\($0 % 7)/photo \($0).png" }
        for count in 1...8 {
            let shards = try (1...count).map { try Shard(index: $0, count: count) }
            for key in keys {
                #expect(shards.filter { $0.contains(key: key) }.count == 1, "\(key) with \(count) shards")
            }
            // Every shard gets some of 500 files (FNV-1a spreads them).
            for shard in shards { #expect(keys.contains { shard.contains(key: $0) }, "shard \(shard) is empty") }
        }
    }

    @Test func assignmentIgnoresOrderAndHowTheFolderIsSpelled() throws {
        let root = NSTemporaryDirectory() + "shard-assignment-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let names = (1...40).map { "\($0 % 3 == 0 ? "sub/" : "")img\($0).png" }
        try FileManager.default.createDirectory(atPath: root + "/data/sub", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/other", withIntermediateDirectories: true)
        for name in names { FileManager.default.createFile(atPath: root + "/data/" + name, contents: Data()) }
        FileManager.default.createFile(atPath: root + "/other/extra.png", contents: Data())
        let shard = try Shard(parsing: "2/3")

        func shardedNames(_ arguments: [String]) -> Set<String> {
            let scan = ShardedScan(arguments)
            return Set(zip(scan.scan.images, scan.keys).filter { shard.contains(key: $0.1) }.map { $0.1 })
        }
        let plain = shardedNames([root + "/data"])
        #expect(!plain.isEmpty)
        #expect(shardedNames([root + "/data/"]) == plain)
        #expect(shardedNames([root + "/./data"]) == plain)
        // Another argument before it changes neither the keys nor which of them are in the shard.
        #expect(shardedNames([root + "/other", root + "/data"]).subtracting(["extra.png"]) == plain)
        // The files keep the order of the whole scan.
        let scan = ShardedScan([root + "/data"])
        let selected = scan.images(in: shard)
        #expect(selected == scan.scan.images.filter(selected.contains))
    }

    @Test(arguments: [
        ("0/4", "shard 0 of 4 does not exist"), ("5/4", "shard 5 of 4 does not exist"), ("-1/4", "shard -1 of 4 does not exist"),
        ("3/0", "at least 1"), ("abc", "'abc' is not K/N"), ("1/4/2", "'1/4/2' is not K/N"), ("", "'' is not K/N"), ("2/x", "'2/x' is not K/N"),
    ])
    func badShardIsRefusedNamingTheFlag(_ text: String, _ reason: String) {
        do {
            _ = try Shard(parsing: text)
            Issue.record("\(text) was accepted")
        } catch {
            #expect(error.description.hasPrefix("--shard: "), "\(error)")
            #expect(error.description.contains(reason), "\(error)")
        }
    }

    @Test func lastShardIsValid() throws {
        let shard = try Shard(parsing: "4/4")
        #expect(shard.index == 4 && shard.count == 4)
    }
}
