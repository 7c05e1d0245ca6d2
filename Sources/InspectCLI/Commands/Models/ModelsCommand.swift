import ArgumentParser

/// `inspect models list|show|promote|remove`: the versions of the trained models in the store.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List, show, promote and remove the versions of trained inspection models.",
        discussion: """
            Every `inspect train --name NAME` adds a version, STORE/NAME/vN/. `--model NAME` (and \
            the server) use the promoted version, else the newest; `--model NAME@N` uses version N. \
            A model saved before versions existed (STORE/NAME/model.json) is version 1. \
            docs/MODELS.md has the details.
            """,
        subcommands: [ModelsListCommand.self, ModelsShowCommand.self, ModelsPromoteCommand.self, ModelsRemoveCommand.self])
}
