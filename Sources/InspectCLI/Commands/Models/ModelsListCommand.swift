import ArgumentParser
import Inspection

/// `inspect models list`: every model of the store with every version.
struct ModelsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List every model of the store with its versions: promoted and served, training date, photo count, key metrics.",
        discussion: "Exit status: 0, or 1 when some model or version cannot be read (each is listed with the reason).")

    @OptionGroup var modelStore: ModelStoreOption

    @Flag(help: "Print one JSON object per version, one per line.")
    var json = false

    func run() throws {
        let listing = modelStore.store.listing()
        let summaries = listing.models.flatMap { model in ListedModel(model).versions.map { ModelVersionSummary($0, of: model) } }
        if json {
            for summary in summaries { print(jsonLine(summary)) }
            for problem in listing.problems { print(jsonLine(["Name": problem.name, "Path": problem.path, "Error": problem.error] as [String: Any])) }
        } else if summaries.isEmpty && listing.problems.isEmpty {
            print("No models in \(modelStore.store.root) (train one with `inspect train GOOD_DIR [BAD_DIR] --name NAME`).")
        } else {
            if !summaries.isEmpty { printAligned([ModelVersionSummary.header] + summaries.map(\.row), rightAligned: ModelVersionSummary.numericColumns) }
            for problem in listing.problems { print("\(problem.name): error: \(problem.error)") }
        }
        if !listing.problems.isEmpty || summaries.contains(where: { $0.Error != nil }) { throw ExitCode.failure }
    }
}
