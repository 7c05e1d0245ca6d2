import Foundation
import Testing

/// `inspect score` on folders reached through symbolic links, run as a user runs it.
@Suite(.serialized) struct ScoreLinkTests {
    let fixture = ScoringFixture.shared

    /// A folder of two test photos with a broken link beside them, and a link to that folder.
    private func linkedFolder() throws -> (folder: String, link: String) {
        try #require(fixture.failure == nil, Comment(rawValue: fixture.failure ?? ""))
        let fm = FileManager.default
        let folder = fixture.file("links-\(UUID().uuidString)")
        try fm.createDirectory(atPath: folder + "/nested", withIntermediateDirectories: true)
        try fm.copyItem(atPath: fixture.photos + "/good/001.png", toPath: folder + "/a.png")
        try fm.copyItem(atPath: fixture.photos + "/good/002.png", toPath: folder + "/nested/b.png")
        try fm.createSymbolicLink(atPath: folder + "/gone.png", withDestinationPath: folder + "/deleted.png")
        try fm.createSymbolicLink(atPath: folder + "/nested/up", withDestinationPath: folder)
        try fm.createSymbolicLink(atPath: folder + "-link", withDestinationPath: folder)
        return (folder, folder + "-link")
    }

    @Test func linkedFolderIsScoredAndABrokenLinkGetsAnErrorRow() throws {
        let (_, link) = try linkedFolder()
        let run = try InspectBinary.run(["score", link, "--model", fixture.model, "--threads", "2"])
        #expect(run.status == 1, "a broken link is an unreadable file: exit 1, got \(run.status): \(run.stderr)")
        let rows = run.stdout.split(separator: "\n").dropFirst().map(String.init)
        #expect(rows.count == 3, "two photos and the broken link; the link back up is not entered: \(run.stdout)")
        #expect(rows.contains { $0.hasPrefix("\(link)/a.png,") && $0.hasSuffix(",") })
        #expect(rows.contains { $0.hasPrefix("\(link)/nested/b.png,") })
        #expect(rows.contains { $0 == "\(link)/gone.png,,,,,,broken symbolic link" }, "\(rows)")
        #expect(run.stderr.contains("scored 2, anomalous") && run.stderr.contains("errors 1"), "\(run.stderr)")
    }

    @Test func imagesCheckFollowsALinkedFolder() throws {
        let (_, link) = try linkedFolder()
        let run = try InspectBinary.run(["images", "check", link, "--json"])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stdout.contains("\"images\" : 3"), "\(run.stdout)")
        #expect(run.stdout.contains("broken symbolic link"), "\(run.stdout)")
    }
}
