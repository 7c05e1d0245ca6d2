import ArgumentParser
import Inspection

/// `inspect models promote NAME N`: make version N the one `--model NAME` and the server use.
struct ModelsPromoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Make version N the one `--model NAME` and the server use.",
        discussion: "A running server picks it up on reload (SIGHUP, or POST /v1/models/reload).")

    @Argument(help: "Model name.")
    var name: String

    @Argument(help: "Version number.")
    var version: Int

    @OptionGroup var modelStore: ModelStoreOption

    func run() throws {
        try exitingOnInspectionError {
            let promoted = try modelStore.store.promote(name, version: version)
            print("Promoted \(promoted.label) (\(promoted.path)); reload a running server to serve it.")
        }
    }
}
