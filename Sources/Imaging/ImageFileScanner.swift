import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the image files under folders, for checking, training and batch scoring.
///
/// A file counts as an image when its name has an image extension (so a broken `.jpg` is
/// reported, not silently skipped) or, whatever its name, when its first bytes are an image
/// signature. Other files (CSV labels, manifests, notes) are listed as skipped. Hidden files
/// and folders (".DS_Store", ".git") are ignored. Symbolic links to files and to folders are
/// followed; a link back to a folder the walk is already inside is not (so a link cycle cannot
/// make the walk endless). A broken link is listed with the images, so whoever reads it reports
/// it as an unreadable file. Order is natural: "2.png" before "10.png".
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
            var found: [String] = [], brokenLinks: Set<String> = []
            walk(path, ancestors: [], into: &found, brokenLinks: &brokenLinks, problems: &scan.problems)
            for file in found.sorted(by: naturalOrder) {
                if brokenLinks.contains(file) { scan.images.append(file) } else { classify(file, into: &scan) }
            }
        }
        return scan
    }

    /// Lists the files under `folder` (a path as the user spelled it, extended downwards),
    /// following links to folders unless they lead back to one of `ancestors` (real paths).
    private static func walk(_ folder: String, ancestors: Set<String>, into found: inout [String],
                             brokenLinks: inout Set<String>, problems: inout [(path: String, reason: String)]) {
        let real = realPath(folder) ?? folder
        guard !ancestors.contains(real) else { return }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            problems.append((folder, "cannot list this folder"))
            return
        }
        let inside = ancestors.union([real])
        for name in names where !name.hasPrefix(".") {
            let path = folder.hasSuffix("/") ? folder + name : folder + "/" + name
            switch entryKind(path) {
            case .file: found.append(path)
            case .brokenLink: found.append(path); brokenLinks.insert(path)
            case .folder: walk(path, ancestors: inside, into: &found, brokenLinks: &brokenLinks, problems: &problems)
            case .other: break
            }
        }
    }

    private enum EntryKind { case file, folder, brokenLink, other }

    /// What `path` is once links are followed; a link whose target is missing is broken.
    private static func entryKind(_ path: String) -> EntryKind {
        var info = stat()
        guard stat(path, &info) == 0 else {
            var linkInfo = stat()
            return lstat(path, &linkInfo) == 0 && (linkInfo.st_mode & S_IFMT) == S_IFLNK ? .brokenLink : .other
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .folder
        default: return .other
        }
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
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
