import Foundation
import WorkerThreads

/// What checking one image found.
public enum ImageCheckOutcome: Sendable {
    case readable(width: Int, height: Int, format: ImageFormat)
    case unreadable(ImagingError)
}

/// Per-folder summary of a check: how many images, how many readable, their sizes, and
/// each unreadable file with its reason.
public struct ImageFolderReport: Sendable {
    public var folder: String
    public var images = 0
    public var readable = 0
    public var formats: [ImageFormat: Int] = [:]
    /// Smallest and largest readable image by pixel count (upright sizes).
    public var smallest: (width: Int, height: Int)?
    public var largest: (width: Int, height: Int)?
    public var unreadable: [ImagingError] = []

    public init(folder: String) { self.folder = folder }
}

/// Decodes every image under the given folders, in parallel, the way `inspect images check`
/// does before training: a dataset is usable when every image in it decodes and its size is
/// within `PhotoSizeLimits` (the rule training and scoring apply).
public struct ImageFolderCheck: Sendable {
    public var folders: [ImageFolderReport]
    public var skipped: [String]
    public var problems: [(path: String, reason: String)]

    public var imageCount: Int { folders.reduce(0) { $0 + $1.images } }
    public var readableCount: Int { folders.reduce(0) { $0 + $1.readable } }
    public var unreadableCount: Int { imageCount - readableCount }

    /// - Parameter progress: called once per decoded image (from the decoding threads).
    public static func run(_ paths: [String], options: DecodeOptions = DecodeOptions(),
                           threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                           progress: (@Sendable () -> Void)? = nil,
                           onScanned: ((Int) -> Void)? = nil) -> ImageFolderCheck {
        let scan = ImageFileScanner.scan(paths)
        onScanned?(scan.images.count)
        let files = scan.images
        let outcomes = WorkerPool.shared.map(count: files.count, maxThreads: threads) { i -> ImageCheckOutcome in
            defer { progress?() }
            do throws(ImagingError) {
                let decoded = try ImageDecoder.decodeFile(files[i], options: options)
                if let refused = PhotoSizeLimits.check(width: decoded.originalWidth, height: decoded.originalHeight, source: files[i]) {
                    return .unreadable(refused)
                }
                return .readable(width: decoded.image.width, height: decoded.image.height, format: decoded.format)
            } catch {
                return .unreadable(error)
            }
        }
        var byFolder: [String: ImageFolderReport] = [:]
        for (file, outcome) in zip(files, outcomes) {
            let folder = (file as NSString).deletingLastPathComponent
            var report = byFolder[folder] ?? ImageFolderReport(folder: folder.isEmpty ? "." : folder)
            report.images += 1
            switch outcome {
            case .readable(let w, let h, let format):
                report.readable += 1
                report.formats[format, default: 0] += 1
                if report.smallest.map({ w * h < $0.width * $0.height }) ?? true { report.smallest = (w, h) }
                if report.largest.map({ w * h > $0.width * $0.height }) ?? true { report.largest = (w, h) }
            case .unreadable(let error):
                report.unreadable.append(error)
            }
            byFolder[folder] = report
        }
        let folders = byFolder.values.sorted { naturalOrder($0.folder, $1.folder) }
        return ImageFolderCheck(folders: folders, skipped: scan.skipped, problems: scan.problems)
    }
}
