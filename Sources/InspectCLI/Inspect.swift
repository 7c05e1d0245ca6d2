import ArgumentParser

/// The `inspect` command line: one subcommand group per journey.
@main
struct Inspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Visual anomaly inspection for product photos, faces and tabular models, on your CPU.",
        version: "0.1.0",
        subcommands: [
            TrainCommand.self,
            ScoreCommand.self,
            MergeCommand.self,
            EvaluateCommand.self,
            MonitorCommand.self,
            BenchmarkCommand.self,
            DemoDataCommand.self,
            ServeCommand.self,
            ClassifyCommand.self,
            FacesCommand.self,
            SurvivalCommand.self,
            TabularCommand.self,
            ImagesCommand.self,
            ModelsCommand.self,
        ]
    )
}
