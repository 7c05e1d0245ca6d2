import ArgumentParser

/// `inspect tabular ...`: Amazon ML style binary models on CSV files. Tabular and Models
/// directory errors reach the user as `Error: <message>` (ArgumentParser prints an error's
/// description and exits with status 1, without the usage text that belongs to mistakes in the
/// command line itself).
struct TabularCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tabular",
        abstract: "Binary classifiers on CSV data (Amazon Machine Learning style): schema, train, evaluate, predict.",
        subcommands: [TabularSchemaCommand.self, TabularTrainCommand.self, TabularEvaluateCommand.self, TabularPredictCommand.self])
}
