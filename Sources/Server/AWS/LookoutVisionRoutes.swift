import Foundation
import Hummingbird
import Inspection

/// Amazon Lookout for Vision's DetectAnomalies (rest-json, botocore model
/// lookoutvision/2020-11-20): the raw image as the body, the project named in the path.
/// A project is an inspection model of the same name and a model version one of its versions:
/// the served one (`latest`, or its number) answers; another version is not found, with how to
/// serve it (promote it and reload).
extension InspectService {
    func addLookoutVisionRoutes(to router: Router<BasicRequestContext>) {
        let label = "aws:lookoutvision:DetectAnomalies"
        awsRoute(router, "/2020-11-20/projects/:projectName/models/:modelVersion/detect", service: .lookoutVision, label: label) { [self] request, context in
            let project = context.parameters.get("projectName").map { $0.removingPercentEncoding ?? $0 } ?? ""
            let version = context.parameters.get("modelVersion").map { $0.removingPercentEncoding ?? $0 } ?? ""
            let isNumber = !version.isEmpty && version.count <= 10 && !version.hasPrefix("0") && version.allSatisfy(\.isASCIIDigit)
            guard isNumber || version == "latest" else {
                throw AWSError(.badRequest, "ValidationException", "modelVersion '\(version)' must be a number from 1 or 'latest'")
            }
            let catalog = models
            let loaded: LoadedInspectionModel
            switch catalog.servedInspection(project, version: version == "latest" ? nil : Int(version)) {
            case .success(let served): loaded = served
            case .failure(let failure):
                let isProject = catalog.inspection.contains { $0.name == project }
                // A project whose served version did not load is named with the reason.
                let isBroken = catalog.broken.contains { $0.name == project }
                throw AWSError(.notFound, "ResourceNotFoundException",
                               isProject || isBroken ? failure.message
                                   : "project \(project) not found (projects here: \(catalog.inspection.map(\.name).joined(separator: ", ")))",
                               members: ["ResourceId": .text(isProject ? "\(project)/\(version)" : project),
                                         "ResourceType": .text(isProject ? "MODEL" : "PROJECT")])
            }
            let type = try BodyReader.requireMediaType(request.request, BodyReader.imageTypes)
            let (result, inspection) = try await detectAnomalies(loaded, bytes: request.body, withMask: true)
            return awsAnswer(DetectAnomaliesResponse(DetectAnomalyResult: result), wire: .restJSON, route: label,
                             input: .image(request.body, contentType: type, isFace: false), inspection: inspection)
        }
    }
}

/// `{"DetectAnomalyResult": {...}}`; the result keeps Inspect's additions (Score,
/// Threshold), which clients ignore.
struct DetectAnomaliesResponse: Encodable {
    var DetectAnomalyResult: DetectAnomaliesResult
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

extension AWSServiceModel {
    /// Lookout for Vision's modeled errors: ValidationException 400, ResourceNotFoundException
    /// 404, ThrottlingException 429 (with Retry-After), InternalServerException 500.
    static let lookoutVision = AWSServiceModel(name: "lookoutvision", signingName: "lookoutvision", wire: .restJSON, messageMember: "Message") { error in
        if error.isBusy {
            return AWSError(.tooManyRequests, "ThrottlingException", error.message, retryAfterSeconds: error.retryAfterSeconds)
        }
        if error.isTimeout || error.status.code >= 500 {
            return AWSError(.internalServerError, "InternalServerException", error.message)
        }
        return AWSError(.badRequest, "ValidationException", error.message)
    }
}
