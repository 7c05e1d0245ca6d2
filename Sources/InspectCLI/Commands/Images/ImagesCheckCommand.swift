import ArgumentParser
import Foundation
import Imaging

/// `inspect images check PATH...`: decode every image and report what is unreadable.
struct ImagesCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Decode every image under the folders and report what is unreadable.",
        discussion: """
            Run it before training, as Lookout for Vision validates a dataset. Folders are \
            searched recursively; files are recognised as images by their extension or their \
            first bytes. Exit status: 0 when every image is readable, 1 when some are not, \
            2 when a path is missing or no image was found.
            """
    )

    @Argument(help: "Folders (searched recursively) or image files.")
    var paths: [String]

    @Option(name: .customLong("max-megapixels"), help: "Refuse images larger than this many megapixels.")
    var maxMegapixels: Double = 64

    @OptionGroup var threads: ThreadsOption

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        guard maxMegapixels > 0 else { throw ValidationError("--max-megapixels must be positive") }
    }

    func run() throws {
        let started = Date()
        var options = DecodeOptions()
        options.maxPixels = Int(maxMegapixels * 1_000_000)
        let bar = ProgressBarBox()
        let check = ImageFolderCheck.run(paths, options: options, threads: threads.count,
                                         progress: { bar.advance() },
                                         onScanned: { bar.start(total: $0, label: "decoding") })
        bar.finish()
        let seconds = Date().timeIntervalSince(started)
        if json {
            try printJSON(check, seconds: seconds)
        } else {
            printTable(check, seconds: seconds)
        }
        if !check.problems.isEmpty || check.imageCount == 0 { throw ExitCode(2) }
        if check.unreadableCount > 0 { throw ExitCode(1) }
    }

    private func sizeRange(_ report: ImageFolderReport) -> String {
        guard let small = report.smallest, let large = report.largest else { return "-" }
        let a = "\(small.width)x\(small.height)", b = "\(large.width)x\(large.height)"
        return a == b ? a : "\(a) to \(b)"
    }

    private func formats(_ report: ImageFolderReport) -> String {
        report.formats.sorted { $0.key.rawValue < $1.key.rawValue }
            .map { report.formats.count == 1 ? $0.key.rawValue : "\($0.key.rawValue) \($0.value)" }
            .joined(separator: ", ")
    }

    private func printTable(_ check: ImageFolderCheck, seconds: Double) {
        for problem in check.problems {
            printError("\(problem.path): \(problem.reason)")
        }
        if !check.folders.isEmpty {
            let rows = check.folders.map { f in
                [f.folder, String(f.images), String(f.readable), String(f.images - f.readable), sizeRange(f), formats(f)]
            }
            printAligned([["folder", "images", "readable", "unreadable", "sizes", "format"]] + rows,
                         rightAligned: [1, 2, 3])
        }
        let unreadable = check.folders.flatMap(\.unreadable)
        if !unreadable.isEmpty {
            print("\nUnreadable (\(unreadable.count)):")
            for error in unreadable { print("  \(error)") }
        }
        if !check.skipped.isEmpty {
            let shown = check.skipped.prefix(5).joined(separator: ", ")
            let more = check.skipped.count > 5 ? " and \(check.skipped.count - 5) more" : ""
            print("\nSkipped \(check.skipped.count) file\(check.skipped.count == 1 ? "" : "s") that \(check.skipped.count == 1 ? "is" : "are") not an image: \(shown)\(more)")
        }
        if check.imageCount == 0 {
            if check.problems.isEmpty { printError("no images found under \(paths.joined(separator: ", "))") }
            return
        }
        let rate = seconds > 0 ? Double(check.imageCount) / seconds : 0
        let folders = check.folders.count
        print("\n\(check.imageCount) image\(check.imageCount == 1 ? "" : "s") in \(folders) folder\(folders == 1 ? "" : "s"): "
              + "\(check.readableCount) readable, \(check.unreadableCount) unreadable "
              + "(\(formatDuration(seconds)), \(formatRate(rate)) images/s)")
    }

    private func printJSON(_ check: ImageFolderCheck, seconds: Double) throws {
        struct Size: Encodable { let width: Int; let height: Int }
        struct Folder: Encodable {
            let folder: String, images: Int, readable: Int
            let smallest: Size?, largest: Size?
            let formats: [String: Int]
            let unreadable: [[String: String]]
        }
        struct Report: Encodable {
            let images: Int, readable: Int, unreadable: Int, seconds: Double
            let folders: [Folder]
            let skipped: [String]
            let problems: [[String: String]]
        }
        let report = Report(
            images: check.imageCount, readable: check.readableCount, unreadable: check.unreadableCount,
            seconds: seconds,
            folders: check.folders.map { f in
                Folder(folder: f.folder, images: f.images, readable: f.readable,
                       smallest: f.smallest.map { Size(width: $0.width, height: $0.height) },
                       largest: f.largest.map { Size(width: $0.width, height: $0.height) },
                       formats: Dictionary(uniqueKeysWithValues: f.formats.map { ($0.key.rawValue, $0.value) }),
                       unreadable: f.unreadable.map { ["file": $0.source, "reason": $0.reason] })
            },
            skipped: check.skipped,
            problems: check.problems.map { ["path": $0.path, "reason": $0.reason] })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
    }
}
