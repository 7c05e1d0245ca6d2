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
        let png = try Fixture.bytes("png-rgb8.png"), jpeg = try Fixture.bytes("jpeg-large.jpg")
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

    @Test func scanFollowsLinksToFilesButNotToFolders() throws {
        let root = try Self.makeMessyFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/links", withIntermediateDirectories: false)
        try fm.createSymbolicLink(atPath: root + "/links/linked.png", withDestinationPath: root + "/2.png")
        try fm.createSymbolicLink(atPath: root + "/links/dangling.png", withDestinationPath: root + "/gone.png")
        try fm.createSymbolicLink(atPath: root + "/links/loop", withDestinationPath: root)
        let scan = ImageFileScanner.scan([root + "/links"])
        #expect(scan.images == [root + "/links/linked.png"])
        #expect(scan.skipped.isEmpty)
        #expect(scan.problems.map(\.path) == [root + "/links/dangling.png"])
        #expect(scan.problems.first?.reason == "broken symbolic link")
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
