import Foundation
import Hummingbird
import Imaging
import Inspection
import Tensors
import WorkerThreads

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

    /// Scores one encoded photo with an inspection model in the inference queue (with
    /// `--max-batch`, as part of a batch of requests for the same model): decoded, prepared at
    /// the model's input size, inspected, with the mask PNG when asked for; and what monitoring
    /// records of it (the photo's statistics and feature sketch), which also feeds the model's
    /// drift figures on /metrics.
    func detectAnomalies(_ loaded: LoadedInspectionModel, bytes: [UInt8], withMask: Bool) async throws
        -> (result: DetectAnomaliesResult, inspection: CapturedInspection) {
        let request = DetectRequest(bytes: bytes, withMask: withMask)
        let scored: (DetectAnomaliesResult, CapturedInspection)
        if let batcher {
            scored = try await batcher.submit(key: "inspection \(ObjectIdentifier(loaded))", model: loaded.name, request) {
                [body] requests in Self.detectAnomalies(loaded, requests, body: body)
            }
        } else {
            scored = try await queue.run(model: loaded.name) { [body] in
                try Self.detectAnomalies(loaded, [request], body: body)[0].get()
            }
        }
        let (detected, inspection) = scored
        drift.record(model: loaded.name, path: loaded.path, statistics: inspection.statistics, score: inspection.score,
                     isAnomalous: inspection.isAnomalous)
        return (detected, inspection)
    }

    /// One detect request's photo and whether it wants the mask.
    struct DetectRequest: Sendable {
        var bytes: [UInt8]
        var withMask: Bool
    }

    /// Scores a batch of detect requests with one model: the photos are decoded and prepared
    /// spread over the cores, the readable ones inspected in one batched pass, then each
    /// answer (mask PNG, statistics) is made, again spread over the cores. A photo that cannot
    /// be read fails its own request only. Each photo's result is the one it gets alone: the
    /// network and the memory search compute every image's output apart from the others.
    static func detectAnomalies(_ loaded: LoadedInspectionModel, _ requests: [DetectRequest], body: BodyReader)
        -> [Result<(DetectAnomaliesResult, CapturedInspection), any Error>] {
        let size = loaded.model.inputSize
        let prepared = WorkerPool.shared.map(count: requests.count) { i -> Result<PreparedImage, any Error> in
            Result {
                let decoded = try body.decodeImage(requests[i].bytes, source: "request body", minimumSize: (size.width, size.height))
                do throws(InspectionError) { return try ImagePreparation.prepare(decoded, source: "request body", size: size) } catch {
                    throw APIError.invalidImage(error.description)
                }
            }
        }
        let readable = prepared.indices.compactMap { i in (try? prepared[i].get()).map { (i, $0) } }
        let inspected = loaded.inspect(readable.map(\.1.resized))
        var resultOf: [Int: InspectionResult] = [:]
        for (k, (i, _)) in readable.enumerated() where k < inspected.count { resultOf[i] = inspected[k] }
        return WorkerPool.shared.map(count: requests.count) { i -> Result<(DetectAnomaliesResult, CapturedInspection), any Error> in
            Result {
                let image = try prepared[i].get()
                guard let r = resultOf[i] else { throw APIError.internalError("the model returned no result for this photo") }
                let statistics = image.original.statistics(photoWidth: image.photoSize.width, photoHeight: image.photoSize.height)
                return (DetectAnomaliesResult(r, mask: requests[i].withMask ? try r.maskPNG(size: image.photoSize) : nil),
                        CapturedInspection(model: loaded.name, version: loaded.version, result: r, statistics: statistics))
            }
        }
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
