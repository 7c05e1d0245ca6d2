import ArgumentParser
import Faces
import Foundation
import Server
import Tabular

/// `inspect survival --selfie PHOTO`: the largest face in the photo as a passenger, answered
/// as the web page's selfie upload answers (`SelfiePassenger`).
struct SelfieSurvivalRun {
    let photo: String
    let pclass: Int?
    let embarked: String?
    let models: ModelsOption
    let json: Bool

    func run() throws {
        // Class and port are checked before the face models load.
        do throws(TabularError) { _ = try SurvivalInput(pclass: pclass, embarked: embarked).validated() } catch {
            printError(error.message)
            throw ExitCode.validationFailure
        }
        let model = try TabularModel.load(file: nil, models: models)
        let analyzer: FaceAnalyzer
        do { analyzer = try FaceAnalyzer(modelsDirectory: try models.directory()) } catch {
            printError("\(error)")
            throw ExitCode.failure
        }
        let faces: [AnalyzedFace]
        do { faces = try analyzer.analyze(file: photo) } catch {
            printError("\(error)")
            throw ExitCode.failure
        }
        guard let face = faces.subject else {
            printError("\(photo): no face found: use a well-lit photo with the face turned to the camera, or give --age and --sex")
            throw ExitCode.failure
        }
        let estimate = try SelfiePassenger.estimate(FaceReading(face, ageBins: analyzer.estimator.ageBins),
                                                    pclass: pclass, embarked: embarked, model: model)
        if json {
            print(jsonLine(SelfieSurvivalAnswer(face: face, facesFound: faces.count, estimate: estimate), pretty: true))
            return
        }
        let d = face.detail
        print("\(photo): face \(formatDecimal(d.Confidence, 1))% sure, \(Int(min(face.detection.width, face.detection.height))) px; "
              + "age \(formatDecimal(d.Age, 0)) (\(d.AgeRange.Low)-\(d.AgeRange.High)), \(d.Gender.Value.lowercased()) \(formatDecimal(d.Gender.Confidence, 0))% sure"
              + (faces.count > 1 ? " (the largest of \(faces.count) faces)" : ""))
        let verdict: String
        switch estimate.verdict {
        case .saved: verdict = "would likely have been saved"
        case .notSaved: verdict = "would likely not have been saved"
        case .unsure: verdict = "no confident answer"
        }
        print("survival probability \(formatDecimal(estimate.probability)) (\(formatDecimal(estimate.low)) to \(formatDecimal(estimate.high)) "
              + "over the age range and sex); \(verdict) (threshold \(formatDecimal(estimate.threshold)))")
        for caveat in estimate.caveats { print("  unsure: \(caveat)") }
    }
}
