import Foundation
import Testing

/// Generated photos, one model trained on them, and one-process score outputs to compare
/// sharded, merged and resumed runs with, all through the `inspect` executable.
final class ScoringFixture: @unchecked Sendable {
    static let shared = ScoringFixture()
    let root: String
    let photos: String
    let model: String
    let failure: String?

    private init() {
        root = NSTemporaryDirectory() + "sharded-scoring-\(getpid())"
        photos = root + "/demo/test"
        model = root + "/store/demo"
        var failure: String?
        do {
            let steps: [[String]] = [
                ["demo-data", root + "/demo", "--good", "6", "--bad", "0", "--test-good", "14", "--test-bad", "10",
                 "--width", "96", "--height", "96"],
                ["train", root + "/demo/train/good", "--name", "demo", "--model-store", root + "/store",
                 "--backbone", "texture-statistics-v1", "--input-size", "96"],
            ]
            for step in steps {
                let run = try InspectBinary.run(step)
                if run.status != 0 { failure = "inspect \(step.joined(separator: " ")) failed (\(run.status)): \(run.stderr)"; break }
            }
            // An unreadable photo (an error row) and a name CSV has to quote.
            try Data("not a photo".utf8).write(to: URL(fileURLWithPath: photos + "/good/broken.jpg"))
            if failure == nil {
                try FileManager.default.copyItem(atPath: photos + "/good/001.png", toPath: photos + "/bad/copy, \"quoted\".png")
            }
        } catch {
            failure = "\(error)"
        }
        self.failure = failure
    }

    /// `inspect score` over the test photos with extra flags; returns the run.
    func score(_ extra: [String], environment: [String: String] = [:]) throws -> InspectBinary.Run {
        try InspectBinary.run(["score", photos, "--model", model, "--threads", "2"] + extra, environment: environment)
    }

    func file(_ name: String) -> String { root + "/" + name }
}

@Suite(.serialized) struct ShardedScoringTests {
    let fixture = ScoringFixture.shared

    private func ready() throws {
        try #require(fixture.failure == nil, Comment(rawValue: fixture.failure ?? ""))
    }

    private func contents(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    /// The one-process output in `format`, written once.
    private func reference(_ format: String) throws -> String {
        let path = fixture.file("reference.\(format)")
        if !FileManager.default.fileExists(atPath: path) {
            let run = try fixture.score(["--format", format, "--out", path])
            #expect(run.status == 1, "one broken photo: exit status 1, got \(run.status): \(run.stderr)")
        }
        return path
    }

    @Test(arguments: ["csv", "jsonl"])
    func mergedShardsEqualOneRun(_ format: String) throws {
        try ready()
        let reference = try reference(format)
        var parts: [String] = []
        for k in 1...3 {
            let part = fixture.file("part-\(k)-of-3.\(format)")
            let run = try fixture.score(["--format", format, "--out", part, "--shard", "\(k)/3"])
            #expect(run.stdout.hasPrefix("shard \(k)/3: "), "\(run.stdout)")
            parts.append(part)
        }
        // Each part holds only its shard's rows: together no more and no fewer than one run.
        let partRows = try parts.map { try String(contentsOfFile: $0, encoding: .utf8).split(separator: "\n").count - (format == "csv" ? 1 : 0) }
        let referenceRows = try String(contentsOfFile: reference, encoding: .utf8).split(separator: "\n").count - (format == "csv" ? 1 : 0)
        #expect(partRows.reduce(0, +) == referenceRows)
        #expect(partRows.allSatisfy { $0 > 0 && $0 < referenceRows })

        let merged = fixture.file("merged.\(format)")
        let run = try InspectBinary.run(["merge", merged] + parts.reversed())
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try contents(merged) == contents(reference))
    }

    @Test(arguments: ["csv", "jsonl"])
    func resumeAfterAKillMidRowWritesEachFileOnce(_ format: String) throws {
        try ready()
        let reference = try contents(try reference(format))
        // A run killed while writing a row: the file stops in the middle of the row that
        // starts at about half the file.
        let middle = reference.count / 2
        let newline = UInt8(ascii: "\n")
        let rowStart = (reference[..<middle].lastIndex(of: newline) ?? 0) + 1
        let rowEnd = try #require(reference[rowStart...].firstIndex(of: newline))
        let killed = fixture.file("killed.\(format)")
        try reference.prefix(rowStart + (rowEnd - rowStart) / 2).write(to: URL(fileURLWithPath: killed))

        let run = try fixture.score(["--format", format, "--out", killed, "--resume"])
        #expect(run.stdout.contains("already in \(killed), resuming"), "\(run.stdout)")
        #expect(try contents(killed) == reference)
        // Resuming a finished file scores nothing and changes nothing.
        let again = try fixture.score(["--format", format, "--out", killed, "--resume"])
        #expect(again.stdout.contains("scored 0, anomalous 0, errors 0"), "\(again.stdout)")
        #expect(try contents(killed) == reference)
    }

    @Test func resumeAfterARealKillOfAShardEqualsTheUninterruptedShard() throws {
        try ready()
        let whole = fixture.file("shard-whole.csv")
        _ = try fixture.score(["--out", whole, "--shard", "2/2"])
        let killed = fixture.file("shard-killed.csv")
        try? FileManager.default.removeItem(atPath: killed)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: InspectBinary.path)
        process.arguments = ["score", fixture.photos, "--model", fixture.model, "--threads", "1", "--out", killed, "--shard", "2/2"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Kill it once a few rows are written (if it finishes first, resume has nothing to do).
        while process.isRunning, ((try? String(contentsOfFile: killed, encoding: .utf8))?.split(separator: "\n").count ?? 0) < 4 {
            usleep(2_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        _ = try fixture.score(["--out", killed, "--shard", "2/2", "--resume"])
        #expect(try contents(killed) == contents(whole))
    }

    @Test func shardFromTheEnvironmentMatchesTheFlag() throws {
        try ready()
        let byFlag = fixture.file("flag-2-of-3.csv"), byJob = fixture.file("job-2-of-3.csv"), bySlurm = fixture.file("slurm-2-of-3.csv")
        _ = try fixture.score(["--out", byFlag, "--shard", "2/3"])
        _ = try fixture.score(["--out", byJob, "--shard-from-env", "--shard-count", "3"], environment: ["JOB_COMPLETION_INDEX": "1"])
        _ = try fixture.score(["--out", bySlurm, "--shard-from-env"],
                              environment: ["SLURM_ARRAY_TASK_ID": "6", "SLURM_ARRAY_TASK_MIN": "5", "SLURM_ARRAY_TASK_COUNT": "3"])
        #expect(try contents(byJob) == contents(byFlag))
        #expect(try contents(bySlurm) == contents(byFlag))
    }

    @Test(arguments: [
        (["--shard", "0/4"], "--shard: shard 0 of 4 does not exist"),
        (["--shard", "5/4"], "--shard: shard 5 of 4 does not exist"),
        (["--shard", "abc"], "--shard: 'abc' is not K/N"),
        (["--shard-from-env", "--shard-count", "4"], "--shard-from-env: neither $JOB_COMPLETION_INDEX nor $SLURM_ARRAY_TASK_ID is set"),
        (["--resume"], "--resume needs --out"),
    ])
    func badShardingFlagsAreRefused(_ flags: [String], _ message: String) throws {
        try ready()
        let run = try InspectBinary.run(["score", fixture.photos, "--model", fixture.model] + flags)
        #expect(run.status == 64, "\(run.status)")
        #expect(run.stderr.contains(message), "\(run.stderr)")
    }

    @Test func resumeRefusesAFileOfAnotherFormat() throws {
        try ready()
        let jsonl = try reference("jsonl")
        let before = try contents(jsonl)
        let run = try fixture.score(["--format", "csv", "--out", jsonl, "--resume"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("\(jsonl): holds jsonl rows, but this run writes csv"), "\(run.stderr)")
        #expect(try contents(jsonl) == before)
    }
}
