import ArgumentParser
import Foundation
import Tabular

/// `inspect survival`: would this person have been saved on the Titanic? The shipped model,
/// with the passenger given as fields or read from a selfie.
struct SurvivalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "survival",
        abstract: "Would this passenger have survived the Titanic? (the shipped model Models/titanic-survival.json)",
        discussion: """
            Age and sex are required, or --selfie to read them from a face; class and port are optional. \
            Exit status 64 when a field is missing or not a value the model knows; 1 when the selfie \
            cannot be read or has no face.
            """)
    @Option(help: "Age in years.") var age: Double?
    @Option(help: "male or female.") var sex: String?
    @Option(help: "Ticket class: 1, 2 or 3.") var pclass: Int?
    @Option(help: "Port of embarkation: S (Southampton), C (Cherbourg) or Q (Queenstown).") var embarked: String?
    @Option(help: ArgumentHelp("A photo of a face: age and sex come from it, with the face model's uncertainty.", valueName: "photo"))
    var selfie: String?
    @OptionGroup var models: ModelsOption
    @Flag(help: "Print the Amazon ML Predict JSON (with --selfie, also the face and the estimate).") var json = false

    func validate() throws {
        if selfie != nil && (age != nil || sex != nil) { throw ValidationError("give --selfie or --age and --sex, not both") }
    }

    func run() throws {
        if let selfie {
            try SelfieSurvivalRun(photo: selfie, pclass: pclass, embarked: embarked, models: models, json: json).run()
            return
        }
        let input: SurvivalInput
        do throws(TabularError) { input = try SurvivalInput(age: age, sex: sex, pclass: pclass, embarked: embarked).readyToPredict() } catch {
            printError(error.message)
            throw ExitCode.validationFailure
        }
        let model = try TabularModel.load(file: nil, models: models)
        let row = input.row
        let p = try model.predict(row)
        if json { print(p.jsonString(pretty: true)); return }
        let score = p.Prediction.predictedScores["1"] ?? 0
        let who = row.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        print("\(who): survival probability \(formatDecimal(score)); \(p.Prediction.predictedLabel == "1" ? "would likely have been saved" : "would likely not have been saved") (threshold \(formatDecimal(p.Prediction.details.Threshold)))")
    }
}
