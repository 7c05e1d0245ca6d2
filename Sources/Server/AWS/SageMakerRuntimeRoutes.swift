import Faces
import Foundation
import HTTPTypes
import Hummingbird
import Tabular

/// Amazon SageMaker Runtime's InvokeEndpoint (rest-json, botocore model
/// sagemaker-runtime/2017-05-13): the body and its Content-Type go to the model as sent, and
/// the model's answer comes back as the body. Endpoints are the loaded models, by name:
/// - the tabular model (`titanic-survival`): `text/csv` (one row in the model's feature order,
///   optionally under a header) or `application/json` (an object of fields); the answer is the
///   Amazon ML Predict JSON, or the score alone when `Accept: text/csv`;
/// - `faces`: a PNG or JPEG; the answer is `{"FaceDetails": [...]}`;
/// - an inspection model: a PNG or JPEG; the answer is the DetectAnomalies result, with the
///   AnomalyMask when `X-Amzn-SageMaker-Custom-Attributes` holds `mask=true`.
/// The tabular and face names are looked up before the inspection models.
/// What a model refuses comes back as SageMaker's ModelError (424) with the model's status
/// and message, as SageMaker relays a container's error.
extension InspectService {
    static let facesEndpoint = "faces"

    func addSageMakerRuntimeRoutes(to router: Router<BasicRequestContext>) {
        let label = "aws:sagemaker:InvokeEndpoint"
        awsRoute(router, "/endpoints/:endpointName/invocations", service: .sageMakerRuntime, label: label) { [self] request, context in
            let name = context.parameters.get("endpointName").map { $0.removingPercentEncoding ?? $0 } ?? ""
            var response: Response
            let models = self.models
            if name == models.survivalName {
                response = try await invokeTabular(request, route: label)
            } else if name == Self.facesEndpoint, let analyzer = models.faces {
                let type = try BodyReader.requireMediaType(request.request, BodyReader.imageTypes)
                let faces = try await detectFaces(analyzer, bytes: request.body, source: "request body")
                response = awsAnswer(FaceDetails(faces), wire: .restJSON, route: label, input: .image(request.body, contentType: type, isFace: true))
            } else if case .success(let loaded) = models.servedInspection(name) {
                let type = try BodyReader.requireMediaType(request.request, BodyReader.imageTypes)
                let attributes = request.header("x-amzn-sagemaker-custom-attributes") ?? ""
                let withMask = attributes.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == "mask=true" }
                let (result, inspection) = try await detectAnomalies(loaded, bytes: request.body, withMask: withMask)
                response = awsAnswer(result, wire: .restJSON, route: label, input: .image(request.body, contentType: type, isFace: false),
                                     inspection: inspection)
            } else {
                throw AWSError(.badRequest, "ValidationError", "Endpoint \(name) not found (endpoints here: \(endpointNames.joined(separator: ", "))).")
            }
            if let variant = HTTPField.Name("x-Amzn-Invoked-Production-Variant") { response.headers[variant] = "AllTraffic" }
            return response
        }
    }

    var endpointNames: [String] {
        [models.survivalName] + (models.faces == nil ? [] : [Self.facesEndpoint]) + models.inspection.map(\.name)
    }

    /// The survival model on a CSV row or a JSON object; `Accept: text/csv` gives the score alone.
    func invokeTabular(_ request: AWSRequest, route: String) async throws -> Response {
        let type = try BodyReader.requireMediaType(request.request, ["text/csv", "application/json"])
        let text = String(decoding: request.body, as: UTF8.self)
        let input = try type == "text/csv"
            ? Self.survivalInput(csv: text, features: models.survival.features)
            : Self.survivalInput(json: request.body)
        let prediction = try await predictSurvival(input)
        if (request.header("accept") ?? "").lowercased().contains("text/csv") {
            let score = Array("\(prediction.Prediction.predictedScores["1"] ?? 0)\n".utf8)
            capture(encoded: Data(score), responseType: "text/csv", route: route, input: .text(text, contentType: type))
            return JSONBody.bytes(score, contentType: "text/csv")
        }
        return awsAnswer(prediction, wire: .restJSON, route: route, input: .text(text, contentType: type))
    }
}

extension AWSServiceModel {
    /// SageMaker Runtime's errors: ValidationError 400 (an unknown endpoint, a body over the
    /// limit), ModelError 424 (the model refused the input: OriginalStatusCode and
    /// OriginalMessage say how; a timeout is the model not answering in time),
    /// ServiceUnavailable 503 (the inference queue is full), InternalFailure 500.
    static let sageMakerRuntime = AWSServiceModel(name: "sagemaker-runtime", signingName: "sagemaker", wire: .restJSON, messageMember: "Message") { error in
        if error.isBusy {
            return AWSError(.serviceUnavailable, "ServiceUnavailable", error.message, retryAfterSeconds: error.retryAfterSeconds)
        }
        if error.status == .contentTooLarge { return AWSError(.badRequest, "ValidationError", error.message) }
        if error.isTimeout {
            return AWSError(.modelError, "ModelError", "Your invocation timed out while waiting for a response from the model: \(error.message)",
                            members: ["OriginalStatusCode": .number(Int(error.status.code)), "OriginalMessage": .text(error.message)])
        }
        if error.status.code >= 500 { return AWSError(.internalServerError, "InternalFailure", error.message) }
        return AWSError(.modelError, "ModelError", "Received client error (\(error.status.code)) from the model with message \"\(error.message)\".",
                        members: ["OriginalStatusCode": .number(Int(error.status.code)), "OriginalMessage": .text(error.message)])
    }
}

extension HTTPResponse.Status {
    /// 424 Failed Dependency: SageMaker's status for a model's refusal (ModelError).
    static let modelError = HTTPResponse.Status(code: 424, reasonPhrase: "Failed Dependency")
}
