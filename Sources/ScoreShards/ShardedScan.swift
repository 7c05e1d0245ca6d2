import Foundation
import Imaging

/// The image files of a batch, as `ImageFileScanner.scan` finds them (same files, same order),
/// each with its shard key: its path relative to the argument it was found under, so
/// `inspect score data/`, `inspect score ./data` and `/mnt/x/data` on another machine give the
/// same keys. A file given directly is keyed by its name.
public struct ShardedScan: Sendable {
    public private(set) var scan = ImageFileScan()
    /// One key per `scan.images` entry.
    public private(set) var keys: [String] = []

    public init(_ arguments: [String]) {
        // Scanning each argument alone gives the same files in the same order as scanning
        // them together, and tells which argument each file came from.
        for argument in arguments {
            let part = ImageFileScanner.scan([argument])
            scan.images += part.images
            scan.skipped += part.skipped
            scan.problems += part.problems
            keys += part.images.map { ShardedScan.key(of: $0, under: argument) }
        }
    }

    /// The images of one shard, in scan order; every image when `shard` is nil.
    public func images(in shard: Shard?) -> [String] {
        guard let shard else { return scan.images }
        return zip(scan.images, keys).filter { shard.contains(key: $0.1) }.map(\.0)
    }

    static func key(of path: String, under argument: String) -> String {
        if path == argument { return (path as NSString).lastPathComponent }
        let root = argument.hasSuffix("/") ? argument : argument + "/"
        return path.hasPrefix(root) ? String(path.dropFirst(root.count)) : path
    }
}
