import Foundation
import Testing
@testable import Imaging
import TestSupport

@Suite("Scanning and checking folders")
struct FolderCheckTests {
    /// A folder with good images, broken ones and a non-image, made fresh for each test.
    static func makeMessyFolder() throws -> String {
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("inspect-check-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/sub", withIntermediateDirectories: true)
        let png = try ImageEncoder.png(Image(width: 64, height: 80, format: .rgb, fill: [90, 140, 200]))
        let jpeg = try Fixture.bytes("jpeg-large.jpg")
        try FileBytes.write(png, to: root + "/10.png")
        try FileBytes.write(png, to: root + "/2.png")
        try FileBytes.write(jpeg, to: root + "/sub/photo-without-extension")
        try FileBytes.write(Array(jpeg.prefix(600)), to: root + "/sub/cut.jpg")
        try FileBytes.write(Array("%PDF-1.4".utf8), to: root + "/invoice.jpeg")
        try FileBytes.write(Array("id,label\n".utf8), to: root + "/labels.csv")
        try FileBytes.write(png, to: root + "/.hidden.png")
        return root
    }

    @Test func naturalOrderSortsNumbersAsNumbers() {
        let names = ["img10.png", "img2.png", "img1.png", "b.png", "a10b2", "a10b10", "a9"]
        #expect(names.sorted(by: naturalOrder) == ["a9", "a10b2", "a10b10", "b.png", "img1.png", "img2.png", "img10.png"])
    }

    @Test func scanFindsImagesByExtensionOrSignature() throws {
        let root = try Self.makeMessyFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let scan = ImageFileScanner.scan([root, root + "/missing"])
        #expect(scan.images == [root + "/2.png", root + "/10.png", root + "/invoice.jpeg",
                                root + "/sub/cut.jpg", root + "/sub/photo-without-extension"])
        #expect(scan.skipped == [root + "/labels.csv"])
        #expect(scan.problems.map(\.path) == [root + "/missing"])
    }

    @Test func scanFollowsLinksToFilesAndFoldersButNotCycles() throws {
        let root = try Self.makeMessyFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/links", withIntermediateDirectories: false)
        try fm.createSymbolicLink(atPath: root + "/links/linked.png", withDestinationPath: root + "/2.png")
        try fm.createSymbolicLink(atPath: root + "/links/loop", withDestinationPath: root + "/links")
        try fm.createSymbolicLink(atPath: root + "/links/sub", withDestinationPath: root + "/sub")
        try fm.createSymbolicLink(atPath: root + "/sub/up", withDestinationPath: root)
        let scan = ImageFileScanner.scan([root + "/links"])
        // links/loop is the folder itself and sub/up leads back to root, above links/sub:
        // the walk enters root once through it and stops where it would go round again.
        #expect(scan.images.prefix(3) == [root + "/links/linked.png", root + "/links/sub/cut.jpg",
                                          root + "/links/sub/photo-without-extension"])
        #expect(!scan.images.contains { $0.contains("/loop/") })
        #expect(scan.images.filter { $0.hasPrefix(root + "/links/sub/up/") } == [root + "/links/sub/up/2.png", root + "/links/sub/up/10.png", root + "/links/sub/up/invoice.jpeg"])
        #expect(scan.problems.isEmpty)
        // From the top, sub/up is a cycle at once.
        let top = ImageFileScanner.scan([root])
        #expect(!top.images.contains { $0.contains("/up/") || $0.contains("/loop/") })
    }

    @Test func linkedFolderAsTheArgumentIsScanned() throws {
        let root = try Self.makeMessyFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createSymbolicLink(atPath: root + "-link", withDestinationPath: root)
        defer { try? FileManager.default.removeItem(atPath: root + "-link") }
        let scan = ImageFileScanner.scan([root + "-link"])
        #expect(scan.images.count == 5)
        #expect(scan.images.first == root + "-link/2.png")
    }

    @Test func brokenLinkIsListedAndReportedUnreadable() throws {
        let root = try Self.makeMessyFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createSymbolicLink(atPath: root + "/sub/dangling", withDestinationPath: root + "/gone.png")
        let scan = ImageFileScanner.scan([root + "/sub"])
        #expect(scan.images == [root + "/sub/cut.jpg", root + "/sub/dangling", root + "/sub/photo-without-extension"])
        #expect(scan.problems.isEmpty)
        let check = ImageFolderCheck.run([root + "/sub"], threads: 1)
        let reasons = check.folders.flatMap(\.unreadable).map(\.description)
        #expect(reasons.contains("\(root)/sub/dangling: broken symbolic link"))
    }

    @Test func checkRefusesPhotosOutsideTheSizesInspectionTakes() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("inspect-sizes-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Image(width: 8, height: 8, format: .rgb, fill: [10, 20, 30]).write(to: root + "/tiny.png")
        try Image(width: 64, height: 64, format: .rgb, fill: [10, 20, 30]).write(to: root + "/smallest.png")
        let check = ImageFolderCheck.run([root], threads: 1)
        #expect(check.imageCount == 2 && check.readableCount == 1)
        #expect(check.folders.first?.unreadable.map(\.description) == ["\(root)/tiny.png: 8x8 is smaller than 64x64"])
    }

    @Test func checkReportsEachFolderAndEachUnreadableFile() throws {
        let root = try Self.makeMessyFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let counter = Counter()
        let check = ImageFolderCheck.run([root], threads: 2, progress: { counter.increment() })
        #expect(counter.value == 5)
        #expect(check.imageCount == 5 && check.readableCount == 3)
        let top = try #require(check.folders.first { $0.folder == root })
        #expect(top.images == 3 && top.readable == 2)
        #expect(top.unreadable.map(\.description) == ["\(root)/invoice.jpeg: not an image: starts with '%PDF'"])
        let sub = try #require(check.folders.first { $0.folder == root + "/sub" })
        #expect(sub.readable == 1)
        #expect(sub.largest?.width == 128 && sub.largest?.height == 96)
        #expect(sub.unreadable.first?.kind == .truncated)
    }

    static let aliens = TestPaths.sharedDatasets.appendingPathComponent("lookout-aliens").path

    @Test(.enabled(if: FileManager.default.fileExists(atPath: aliens),
                   "../shared/datasets/lookout-aliens is not present next to the project"))
    func lookoutAliensDatasetIsFullyReadable() throws {
        let dataset = Self.aliens
        let check = ImageFolderCheck.run([dataset])
        #expect(check.imageCount == 118)
        #expect(check.readableCount == 118)
        #expect(check.folders.map { $0.folder.split(separator: "/").last ?? "" } == ["anomaly", "normal"])
        #expect(check.folders.allSatisfy { $0.smallest?.width == 550 && $0.largest?.height == 380 })
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
    func increment() { lock.lock(); count += 1; lock.unlock() }
}
