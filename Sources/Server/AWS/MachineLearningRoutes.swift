import Foundation
import Hummingbird
import Tabular

/// Amazon Machine Learning's Predict (JSON 1.1, botocore model machinelearning/2014-12-12):
/// `{"MLModelId", "Record": {name: string}, "PredictEndpoint"}`. The MLModelId names a tabular
/// model (`titanic-survival` is shipped); record fields the model does not use are ignored,
/// as Amazon ML ignored variables outside the model's schema. botocore sends Predict to the
/// PredictEndpoint URL, so clients give this server's URL there; its value is not checked.
extension InspectService {
    func machineLearningOperations() -> [String: AWSJSONOperation] {
        let predict = AWSJSONOperation(service: .machineLearning) { [self] request, _ in
            let input = try AWSBody.decode(PredictRequest.self, from: request.body)
            guard let id = input.MLModelId, !id.isEmpty else { throw Self.invalidInput("MLModelId is required") }
            guard let record = input.Record else { throw Self.invalidInput("Record is required") }
            guard let endpoint = input.PredictEndpoint, !endpoint.isEmpty else { throw Self.invalidInput("PredictEndpoint is required") }
            guard id == models.survivalName else {
                throw AWSError(.badRequest, "ResourceNotFoundException", "No MLModel with id \(id) (models here: \(models.survivalName))")
            }
            var fields: [String: String?] = [:]
            for (name, value) in record where SurvivalInput.fieldNames.contains(name.lowercased()) { fields[name] = value.text }
            let passenger: SurvivalInput
            do throws(TabularError) { passenger = try SurvivalInput(fields: fields) } catch { throw Self.invalidInput(error.message) }
            let prediction = try await predictSurvival(passenger).Prediction
            let answer = MLPredictOutput(Prediction: .init(
                predictedLabel: prediction.predictedLabel, predictedScores: prediction.predictedScores,
                details: ["PredictiveModelType": prediction.details.PredictiveModelType, "Algorithm": models.survival.kind.rawValue]))
            return awsAnswer(answer, wire: .json11, route: "aws:AmazonML_20141212.Predict",
                             input: .text(String(decoding: request.body, as: UTF8.self), contentType: "application/x-amz-json-1.1"))
        }
        return ["AmazonML_20141212.Predict": predict]
    }

    static func invalidInput(_ message: String) -> AWSError { AWSError(.badRequest, "InvalidInputException", message) }
}

struct PredictRequest: Decodable {
    var MLModelId: String?
    var Record: [String: JSONScalar]?
    var PredictEndpoint: String?
}

/// The Predict answer: details is a map of strings in the service model.
struct MLPredictOutput: Encodable {
    struct Prediction: Encodable {
        var predictedLabel: String
        var predictedScores: [String: Double]
        var details: [String: String]
    }
    var Prediction: Prediction
}

extension AWSServiceModel {
    /// Amazon ML's errors, with the statuses of its API reference: InvalidInputException and
    /// ResourceNotFoundException 400, LimitExceededException 417, InternalServerException
    /// 500; the message member is lower-case `message`.
    static let machineLearning = AWSServiceModel(name: "machinelearning", signingName: "machinelearning", wire: .json11, messageMember: "message") { error in
        if error.isBusy {
            return AWSError(.expectationFailed, "LimitExceededException", error.message, retryAfterSeconds: error.retryAfterSeconds)
        }
        if error.isTimeout || error.status.code >= 500 { return AWSError(.internalServerError, "InternalServerException", error.message) }
        return AWSError(.badRequest, "InvalidInputException", error.message)
    }
}
