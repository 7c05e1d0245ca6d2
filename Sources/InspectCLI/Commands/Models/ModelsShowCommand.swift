import ArgumentParser
import Foundation
import Inspection

/// `inspect models show NAME`: every version of one model in detail.
struct ModelsShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show every version of a model: where it is, what it was trained on, its threshold and metrics.",
        discussion: "Exit status: 0; 1 when a version's card cannot be read; 2 when there is no such model.")

    @Argument(help: "Model name.")
    var name: String

    @OptionGroup var modelStore: ModelStoreOption

    @Flag(help: "Print the versions as a JSON array.")
    var json = false

    func run() throws {
        let model: StoredModelVersions
        do {
            model = try modelStore.store.model(named: name)
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
        let summaries = ListedModel(model).versions.map { ModelVersionSummary($0, of: model) }
        if json {
            print(jsonLine(summaries, pretty: true))
        } else {
            let served = model.served.map { "v\($0.number)" } ?? "none"
            print("\(model.name): \(model.versions.count) version\(model.versions.count == 1 ? "" : "s") in \(model.folder); "
                  + "promoted \(model.promoted.map { "v\($0)" } ?? "none"), served \(served)")
            for summary in summaries { printVersion(summary) }
        }
        if summaries.contains(where: { $0.Error != nil }) { throw ExitCode.failure }
    }

    private func printVersion(_ s: ModelVersionSummary) {
        print("\nv\(s.Version)\(s.state.isEmpty ? "" : " (\(s.state))"): \(s.Path)")
        if let error = s.Error {
            print("  error: \(error)")
            return
        }
        print("  trained     \(s.Created ?? "-")")
        print("  photos      \(s.Photos.map { String($0) } ?? "-") (\(s.GoodImages ?? 0) good, \(s.AnomalousImages ?? 0) anomalous)")
        print("  data sha256 \(s.DataSHA256 ?? "- (not recorded: trained before versions)")")
        print("  threshold   \(s.Threshold.map { String(format: "%.4f", $0) } ?? "-") (\(s.ThresholdMethod ?? "-"))")
        print("  scoring     \(s.Scoring ?? "-") on \(s.Backbone ?? "-")")
        let metrics = ["AUROC", "Precision", "Recall", "F1"].map { "\($0) \(formatDecimal(s.Metrics?[$0]))" }.joined(separator: ", ")
        print("  metrics     \(metrics) on \(s.EvaluatedOn ?? "-")")
    }
}
