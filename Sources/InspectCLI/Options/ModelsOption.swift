import ArgumentParser
import Foundation
import Inspection

/// `--models DIR`: the Models directory (network weights and the shipped models), for every
/// command that reads one.
struct ModelsOption: ParsableArguments {
    @Option(help: "Models directory with the network weights and the shipped models (default: $INSPECT_MODELS, ./Models, or next to the executable).")
    var models: String?

    /// The directory the option names, or the default one (`ModelsDirectory`).
    func directory() throws -> URL { try ModelsDirectory.resolve(models) }
}
