import ArgumentParser
import Inspection

/// `inspect models remove NAME N [--force]`: delete one version.
struct ModelsRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Delete version N of a model (the promoted version only with --force; the last version removes the model).")

    @Argument(help: "Model name.")
    var name: String

    @Argument(help: "Version number.")
    var version: Int

    @Flag(help: "Remove the promoted version too (the newest remaining version is then used).")
    var force = false

    @OptionGroup var modelStore: ModelStoreOption

    func run() throws {
        try exitingOnInspectionError {
            switch try modelStore.store.remove(name, version: version, force: force) {
            case .version: print("Removed \(name) v\(version).")
            case .model: print("Removed \(name) v\(version), its last version: the model \(name) is gone.")
            }
        }
    }
}
