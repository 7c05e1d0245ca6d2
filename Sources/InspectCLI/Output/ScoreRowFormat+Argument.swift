import ArgumentParser
import ScoreShards

/// `--format csv|jsonl` of `inspect score`.
extension ScoreRowFormat: ExpressibleByArgument {}
