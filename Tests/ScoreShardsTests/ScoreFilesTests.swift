import Foundation
import Testing
@testable import ScoreShards

/// Resume and merge on hand-written score outputs (the end-to-end tests use real runs).
@Suite struct ScoreFilesTests {
    let folder: String

    init() throws {
        folder = NSTemporaryDirectory() + "score-files-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    private func write(_ name: String, _ text: String) throws -> String {
        let path = folder + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func csv(_ paths: [String]) -> String {
        ([ScoreRowFormat.csvHeader] + paths.map { "\($0),false,0.9000,1.00000,2.00000,0.000," }).joined(separator: "\n") + "\n"
    }

    @Test func resumeCutsOffThePartialRowAndListsTheScoredFiles() throws {
        let full = csv(["d/1.png", "d/2.png", "d/3.png"])
        let killed = try write("killed.csv", full + "d/4.png,tr")
        let done = try ScoreResume.prepare(killed, format: .csv)
        #expect(done == ["d/1.png", "d/2.png", "d/3.png"])
        #expect(try String(contentsOfFile: killed, encoding: .utf8) == full)
    }

    @Test func quotedPathsWithCommasQuotesAndLineBreaksAreOneRow() throws {
        let odd = ["a,b.png", "say \"hi\".png", "two\nlines.png"]
        let text = [ScoreRowFormat.csvHeader, "\"a,b.png\",true,1,1,1,1,", "\"say \"\"hi\"\".png\",true,1,1,1,1,",
                    "\"two\nlines.png\",true,1,1,1,1,"].joined(separator: "\n") + "\n"
        // Cut inside the quoted line break: the last row is partial although a line break ends the file.
        let cut = String(text.prefix(upTo: text.range(of: "two\n")!.upperBound))
        let path = try write("odd.csv", cut)
        #expect(try ScoreResume.prepare(path, format: .csv) == Array(odd.prefix(2)))
        let whole = try write("odd-whole.csv", text)
        #expect(try ScoreRowFile.read(whole)?.rows.map(\.path) == odd)
    }

    @Test func resumeRefusesAnotherFormatOrHeader() throws {
        let jsonl = try write("rows.jsonl", "{\"Path\":\"d/1.png\"}\n")
        #expect(throws: ShardError("\(jsonl): holds jsonl rows, but this run writes csv; resume with --format jsonl or write to another file")) {
            try ScoreResume.prepare(jsonl, format: .csv)
        }
        let otherHeader = try write("other.csv", "path,Score\nd/1.png,1\n")
        #expect(throws: ShardError.self) { try ScoreResume.prepare(otherHeader, format: .csv) }
        let notes = try write("notes.csv", "hello\n")
        #expect(throws: ShardError.self) { try ScoreResume.prepare(notes, format: .csv) }
        // Nothing to resume: a missing file or a header cut off before its line break.
        #expect(try ScoreResume.prepare(folder + "/missing.csv", format: .csv) == nil)
        #expect(try ScoreResume.prepare(try write("cut.csv", "path,IsAn"), format: .csv) == nil)
    }

    @Test func mergeInterleavesPartsInNaturalOrder() throws {
        let all = (1...12).map { "d/\($0).png" }
        let a = try write("a.csv", csv(all.enumerated().filter { $0.offset % 3 == 0 }.map(\.element)))
        let b = try write("b.csv", csv(all.enumerated().filter { $0.offset % 3 != 0 }.map(\.element)))
        let empty = try write("empty.csv", csv([]))
        let merged = try ScoreMerge.merge([b, empty, a], order: .naturalPaths)
        #expect(merged.text == csv(all))
        #expect(merged.rows == 12)
    }

    @Test func mergeRefusesOverlapsPartialRowsAndMixedFormats() throws {
        let a = try write("a.csv", csv(["d/1.png", "d/2.png"]))
        let b = try write("b.csv", csv(["d/2.png"]))
        #expect(throws: ShardError("d/2.png is scored in both \(a) and \(b); were they written by different shard counts?")) {
            try ScoreMerge.merge([a, b], order: .naturalPaths)
        }
        let partial = try write("partial.csv", csv(["d/3.png"]) + "d/4.png,fa")
        #expect(throws: ShardError.self) { try ScoreMerge.merge([a, partial], order: .naturalPaths) }
        let jsonl = try write("c.jsonl", "{\"Path\":\"d/5.png\"}\n")
        #expect(throws: ShardError.self) { try ScoreMerge.merge([a, jsonl], order: .naturalPaths) }
    }

    @Test func mergeFollowsTheGivenFileOrder() throws {
        // A run over "zeta/" then "alpha/" writes zeta first: not natural order.
        let order = ["zeta/1.png", "zeta/2.png", "alpha/1.png", "alpha/2.png"]
        let a = try write("a.jsonl", "{\"Path\":\"zeta/2.png\"}\n{\"Path\":\"alpha/1.png\"}\n")
        let b = try write("b.jsonl", "{\"Path\":\"zeta/1.png\"}\n{\"Path\":\"alpha/2.png\"}\n")
        #expect(throws: ShardError.self) { try ScoreMerge.merge([a, b], order: .naturalPaths) }
        let merged = try ScoreMerge.merge([a, b], order: .files(order))
        #expect(merged.text == order.map { "{\"Path\":\"\($0)\"}" }.joined(separator: "\n") + "\n")
    }
}
