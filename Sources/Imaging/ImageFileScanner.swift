import Foundation

/// Finds the image files under folders, for checking, training and batch scoring.
///
/// A file counts as an image when its name has an image extension (so a broken `.jpg` is
/// reported, not silently skipped) or, whatever its name, when its first bytes are an image
/// signature. Other files (CSV labels, manifests, notes) are listed as skipped. Hidden files
/// and folders (".DS_Store", ".git") are ignored. Symbolic links to files are followed, links
/// to folders are not. Order is natural: "2.png" before "10.png".
public struct ImageFileScan: Sendable {
    /// Image files, in natural order of their paths.
    public var images: [String] = []
    /// Files that are not images.
    public var skipped: [String] = []
    /// Paths that were asked for but could not be listed, with the reason.
    public var problems: [(path: String, reason: String)] = []

    public init() {}
}

public enum ImageFileScanner {
    public static let imageExtensions: Set<String> = [
        "png", "jpg", "jpeg", "jpe", "jfif", "gif", "bmp", "tif", "tiff", "webp", "heic", "heif", "avif",
    ]

    /// Scans files and folders (folders recursively).
    public static func scan(_ paths: [String]) -> ImageFileScan {
        var scan = ImageFileScan()
        let fm = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
                scan.problems.append((path, "no such file or folder"))
                continue
            }
            if !isDirectory.boolValue {
                classify(path, into: &scan)
                continue
            }
            guard let walker = fm.enumerator(at: URL(fileURLWithPath: path),
                                             includingPropertiesForKeys: [.isRegularFileKey, .isSymbolicLinkKey],
                                             options: [.skipsHiddenFiles]) else {
                scan.problems.append((path, "cannot list this folder"))
                continue
            }
            var found: [String] = []
            for case let url as URL in walker {
                switch entryKind(url) {
                case .file: found.append(relativePath(url.path, root: path))
                case .brokenLink: scan.problems.append((relativePath(url.path, root: path), "broken symbolic link"))
                case .other: break
                }
            }
            for file in found.sorted(by: naturalOrder) { classify(file, into: &scan) }
        }
        return scan
    }

    private enum EntryKind { case file, brokenLink, other }

    /// A regular file, or a symbolic link to one (as photo folders made of links often are).
    /// Links to folders are not followed, so a link cycle cannot make the walk endless.
    private static func entryKind(_ url: URL) -> EntryKind {
        guard let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .isSymbolicLinkKey]) else { return .other }
        if values.isRegularFile == true { return .file }
        guard values.isSymbolicLink == true else { return .other }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.resolvingSymlinksInPath().path, isDirectory: &isDirectory) else { return .brokenLink }
        return isDirectory.boolValue ? .other : .file
    }

    /// Keeps the user's spelling of the root ("../data/good/1.png", not an absolute path).
    private static func relativePath(_ absolute: String, root: String) -> String {
        let base = URL(fileURLWithPath: root).standardizedFileURL.path
        let standardized = URL(fileURLWithPath: absolute).standardizedFileURL.path
        guard standardized.hasPrefix(base + "/") else { return absolute }
        let rest = standardized.dropFirst(base.count + 1)
        return root.hasSuffix("/") ? root + rest : root + "/" + rest
    }

    private static func classify(_ path: String, into scan: inout ImageFileScan) {
        let ext = (path as NSString).pathExtension.lowercased()
        if imageExtensions.contains(ext) || startsLikeAnImage(path) {
            scan.images.append(path)
        } else {
            scan.skipped.append(path)
        }
    }

    private static func startsLikeAnImage(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 16)) ?? Data()
        switch ImageFormat.sniff(head) {
        case .decodable, .unsupportedImage: return true
        case .notAnImage, .empty: return false
        }
    }
}

/// Natural order for file names: runs of digits compare as numbers, so "img2.png" sorts
/// before "img10.png"; otherwise character by character.
public func naturalOrder(_ a: String, _ b: String) -> Bool {
    var i = a.unicodeScalars.makeIterator(), j = b.unicodeScalars.makeIterator()
    var x = i.next(), y = j.next()
    func isDigit(_ s: Unicode.Scalar?) -> Bool { s.map { ("0"..."9").contains($0) } ?? false }
    while let cx = x, let cy = y {
        if isDigit(cx) && isDigit(cy) {
            var nx = "", ny = ""
            while isDigit(x), let d = x { nx.unicodeScalars.append(d); x = i.next() }
            while isDigit(y), let d = y { ny.unicodeScalars.append(d); y = j.next() }
            let tx = nx.drop { $0 == "0" }, ty = ny.drop { $0 == "0" }
            if tx.count != ty.count { return tx.count < ty.count }
            if tx != ty { return tx < ty }
            if nx.count != ny.count { return nx.count < ny.count }
            continue
        }
        if cx != cy { return cx < cy }
        x = i.next(); y = j.next()
    }
    return x == nil && y != nil
}
