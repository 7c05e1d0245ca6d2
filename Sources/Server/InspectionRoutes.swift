import Foundation
import Hummingbird
import Imaging
import Inspection

extension InspectService {
    func addInspectionRoutes(to router: Router<BasicRequestContext>) {
        let route = "/v1/inspection/{model}/detect"
        self.route(router, .post, "/v1/inspection/:model/detect", label: route) { [self] request, context in
            // NAME, or NAME@N when N is the served version.
            let name = context.parameters.get("model").map { $0.removingPercentEncoding ?? $0 } ?? ""
            let loaded: LoadedInspectionModel
            switch models.servedInspection(name) {
            case .success(let served): loaded = served
            case .failure(let failure): throw APIError(.notFound, code: "ModelNotFound", failure.message)
            }
            let withMask = try Self.flag(request, "mask")
            let (bytes, type) = try await body.imageBytes(request)
            let (result, inspection) = try await detectAnomalies(loaded, bytes: bytes, withMask: withMask)
            return answer(result, route: route, input: .image(bytes, contentType: type, isFace: false), inspection: inspection)
        }
    }

    /// Scores one encoded photo with an inspection model in the inference queue: decoded,
    /// prepared at the model's input size, inspected, with the mask PNG when asked for; and
    /// what monitoring records of it (the photo's statistics and feature sketch), which also
    /// feeds the model's drift figures on /metrics.
    func detectAnomalies(_ loaded: LoadedInspectionModel, bytes: [UInt8], withMask: Bool) async throws
        -> (result: DetectAnomaliesResult, inspection: CapturedInspection) {
        let (detected, inspection) = try await queue.run(model: loaded.name) { [body] in
            let size = loaded.model.inputSize
            let decoded = try body.decodeImage(bytes, source: "request body", minimumSize: (size.width, size.height))
            let prepared: PreparedImage
            do throws(InspectionError) { prepared = try ImagePreparation.prepare(decoded, source: "request body", size: size) } catch {
                throw APIError.invalidImage(error.description)
            }
            let r = loaded.inspect(prepared.resized)
            let statistics = prepared.original.statistics(photoWidth: prepared.photoSize.width, photoHeight: prepared.photoSize.height)
            return (DetectAnomaliesResult(r, mask: withMask ? try r.maskPNG(size: prepared.photoSize) : nil),
                    CapturedInspection(model: loaded.name, result: r, statistics: statistics))
        }
        drift.record(model: loaded.name, path: loaded.path, statistics: inspection.statistics, score: inspection.score,
                     isAnomalous: inspection.isAnomalous)
        return (detected, inspection)
    }

    /// A boolean query parameter: absent, true/1 or false/0.
    static func flag(_ request: Request, _ name: String) throws -> Bool {
        guard let value = request.uri.queryParameters.get(name) else { return false }
        switch value.lowercased() {
        case "true", "1", "yes", "": return true
        case "false", "0", "no": return false
        default: throw APIError.badRequest("?\(name)=\(value): expected true or false")
        }
    }
}
