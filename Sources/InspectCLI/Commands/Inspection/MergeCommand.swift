import ArgumentParser
import Foundation
import ScoreShards

/// `inspect merge OUT PART...`: joins `inspect score --shard K/N` outputs into one file.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join the outputs of inspect score --shard runs (CSV or JSON lines) into the file one run writes.",
        discussion: """
            The rows are put back in the order one run over all the files writes, the CSV \
            header once, so the result is byte for byte what one process writes. That order is \
            the natural order of the paths when the score runs had one folder (or arguments \
            already in natural order); otherwise give the runs' arguments with --order-from. \
            Refuses parts of different formats, a part cut off mid-row (resume it first with \
            inspect score --resume) and a file scored in two parts.
            """
    )

    @Argument(help: "The merged file to write.")
    var out: String

    @Argument(help: "The shard outputs (inspect score --out files).")
    var parts: [String]

    @Option(name: .customLong("order-from"), parsing: .upToNextOption,
            help: "The files and folders the score runs were given, to restore their order.")
    var orderFrom: [String] = []

    func validate() throws {
        guard !parts.isEmpty else { throw ValidationError("give at least one PART to merge") }
        if parts.contains(out) { throw ValidationError("\(out) is also a PART; write the merge to another file") }
    }

    func run() throws {
        do {
            let order: ScoreMerge.Order = orderFrom.isEmpty ? .naturalPaths : .files(ShardedScan(orderFrom).scan.images)
            let merged = try ScoreMerge.merge(parts, order: order)
            do { try Data(merged.text.utf8).write(to: URL(fileURLWithPath: out), options: .atomic) }
            catch { throw ShardError("\(out): cannot write the merged file: \(error.localizedDescription)") }
            print("merged \(merged.rows) rows from \(parts.count) parts into \(out)")
        } catch {
            printError("\(error)")
            throw ExitCode.failure
        }
    }
}
