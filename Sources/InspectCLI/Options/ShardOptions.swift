import ArgumentParser
import Foundation
import Imaging
import ScoreShards

/// `--shard K/N`, `--shard-from-env`, `--shard-count N` and `--resume` for `inspect score`:
/// which files this run scores and whether it appends to an interrupted output.
struct ShardOptions: ParsableArguments {
    @Option(help: "Score only shard K of N (1 <= K <= N), for example 2/4. A file's shard is a hash of its path relative to the argument it is under, so it is the same on every machine.")
    var shard: String?

    @Flag(name: .customLong("shard-from-env"), help: "Take the shard from the environment: K is $JOB_COMPLETION_INDEX + 1 (a Kubernetes Indexed Job) or $SLURM_ARRAY_TASK_ID - $SLURM_ARRAY_TASK_MIN + 1 (a Slurm array); N is --shard-count (or $SLURM_ARRAY_TASK_COUNT).")
    var shardFromEnvironment = false

    @Option(name: .customLong("shard-count"), help: "The number of shards N, with --shard-from-env.")
    var shardCount: Int?

    @Flag(help: "Append to the --out file: skip the files it already has rows for (after cutting off a partial last row left by a killed run).")
    var resume = false

    func validate() throws {
        if shard != nil && shardFromEnvironment { throw ValidationError("--shard and --shard-from-env cannot be used together") }
        if shardCount != nil && !shardFromEnvironment { throw ValidationError("--shard-count goes with --shard-from-env (use --shard K/N otherwise)") }
        _ = try selectedShard()
    }

    /// The shard asked for, nil for all files.
    func selectedShard(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Shard? {
        do {
            if let shard { return try Shard(parsing: shard) }
            guard shardFromEnvironment else { return nil }
            return try Self.shard(fromEnvironment: environment, count: shardCount)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// The files this run scores and what to say about them in the summary.
    func plan(_ found: ShardedScan, out: String?, format: ScoreRowFormat) throws -> ScorePlan {
        let shard = try selectedShard()
        var plan = ScorePlan(images: found.images(in: shard))
        var notes: [String] = []
        if let shard { notes.append("shard \(shard): \(plan.images.count) of \(found.scan.images.count) images") }
        if resume, let out, let done = try ScoreResume.prepare(out, format: format) {
            let doneSet = Set(done)
            let outside = doneSet.subtracting(plan.images)
            if let example = outside.sorted(by: naturalOrder).first {
                throw ShardError("\(out): has rows for \(outside.count) files this run does not score (\(example)); "
                                 + "was it written for another shard or folder?")
            }
            plan.images.removeAll { doneSet.contains($0) }
            plan.appending = true
            notes.append("\(done.count) already in \(out), resuming")
        }
        plan.summary = notes.isEmpty ? nil : notes.joined(separator: "; ")
        return plan
    }

    private static func shard(fromEnvironment environment: [String: String], count: Int?) throws(ShardError) -> Shard {
        let flag = "--shard-from-env"
        func number(_ name: String) throws(ShardError) -> Int? {
            guard let text = environment[name] else { return nil }
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else { throw ShardError("\(flag): $\(name) is '\(text)', not a number") }
            return value
        }
        if let index = try number("JOB_COMPLETION_INDEX") {
            guard let count else { throw ShardError("\(flag): needs --shard-count N with $JOB_COMPLETION_INDEX") }
            return try Shard(index: index + 1, count: count, flag: flag + " ($JOB_COMPLETION_INDEX=\(index))")
        }
        if let task = try number("SLURM_ARRAY_TASK_ID") {
            let first = try number("SLURM_ARRAY_TASK_MIN") ?? 0
            let arrayCount = try number("SLURM_ARRAY_TASK_COUNT")
            guard let total = count ?? arrayCount else {
                throw ShardError("\(flag): needs --shard-count N (or $SLURM_ARRAY_TASK_COUNT) with $SLURM_ARRAY_TASK_ID")
            }
            return try Shard(index: task - first + 1, count: total, flag: flag + " ($SLURM_ARRAY_TASK_ID=\(task))")
        }
        throw ShardError("\(flag): neither $JOB_COMPLETION_INDEX nor $SLURM_ARRAY_TASK_ID is set")
    }
}

/// What one `inspect score` run scores.
struct ScorePlan {
    var images: [String]
    /// Rows go after those already in the output file (no second CSV header).
    var appending = false
    /// A line for the summary (the shard, the rows resumed), nil for a plain run.
    var summary: String?
}
