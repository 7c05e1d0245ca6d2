import ArgumentParser
import Tensors
import WorkerThreads

/// `--threads N`: how many threads work at once, the one name for parallelism across the
/// commands (and the INSPECT_THREADS environment variable, which sizes the shared pool).
/// `--jobs` is the former spelling, still accepted but hidden.
struct ThreadsOption: ParsableArguments {
    @Option(help: ArgumentHelp("Threads working at once (default: $INSPECT_THREADS, else all cores).", valueName: "n"))
    var threads: Int?

    @Option(name: .customLong("jobs"), help: .hidden)
    var jobs: Int?

    func validate() throws {
        if threads != nil && jobs != nil { throw ValidationError("give --threads only (--jobs is its former name)") }
        if let given = threads ?? jobs, given < 1 { throw ValidationError("--threads must be at least 1") }
    }

    /// The number given, else the shared pool's size.
    var count: Int { threads ?? jobs ?? WorkerPool.shared.threads }
}
