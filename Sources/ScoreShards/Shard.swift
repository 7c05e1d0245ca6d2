/// One part of a batch split across machines: shard `index` of `count`, counted from 1.
///
/// A file belongs to shard `fnv1a64(key) % count + 1`, where the key is the file's path
/// relative to the argument it was found under (`ShardedScan`). FNV-1a over the key's UTF-8
/// bytes is fixed by its definition, unlike Swift's `Hasher`, which is seeded per process, so
/// every machine and every run puts a file in the same shard, whatever order it was listed in.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int, flag: String = "--shard") throws(ShardError) {
        guard count >= 1 else { throw ShardError("\(flag): the shard count must be at least 1, not \(count)") }
        guard (1...count).contains(index) else {
            throw ShardError("\(flag): shard \(index) of \(count) does not exist (shards are numbered 1 to \(count))")
        }
        self.index = index
        self.count = count
    }

    /// Parses "K/N" (for example "2/4"), naming `flag` in the error.
    public init(parsing text: String, flag: String = "--shard") throws(ShardError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw ShardError("\(flag): '\(text)' is not K/N (shard K of N, for example 2/4)")
        }
        try self.init(index: index, count: count, flag: flag)
    }

    public var description: String { "\(index)/\(count)" }

    /// Whether the file with this key (its path relative to its argument) is in this shard.
    public func contains(key: String) -> Bool { Shard.number(ofKey: key, count: count) == index }

    /// The shard (1...count) a key belongs to.
    public static func number(ofKey key: String, count: Int) -> Int {
        Int(fnv1a64(key) % UInt64(count)) + 1
    }

    /// 64-bit FNV-1a of the UTF-8 bytes.
    public static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}

/// A bad shard request or a score output that cannot be resumed or merged; the message names
/// the flag or file.
public struct ShardError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
