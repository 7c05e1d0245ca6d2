import Foundation
import Hummingbird
import Imaging
import Inspection

extension InspectService {
    func addInspectionRoutes(to router: Router<BasicRequestContext>) {
        let route = "/v1/inspection/{model}/detect"
        self.route(router, .post, "/v1/inspection/:model/detect", label: route) { [self] request, context in
            let name = context.parameters.get("model") ?? ""
            guard let loaded = models.inspection.first(where: { $0.name == name }) else {
                let known = models.inspection.map(\.name)
                throw APIError(.notFound, code: "ModelNotFound",
                               "no inspection model '\(name)' (loaded: \(known.isEmpty ? "none" : known.joined(separator: ", ")))")
            }
            let withMask = try Self.flag(request, "mask")
            let (bytes, type) = try await body.imageBytes(request)
            let result = try await queue.run(model: name) { [body] in
                let size = loaded.model.inputSize
                let decoded = try body.decodeImage(bytes, source: "request body", minimumSize: (size.width, size.height))
                let (w, h) = (decoded.originalWidth, decoded.originalHeight)
                let (lo, hi) = (ImagePreparation.smallestSide, ImagePreparation.largestSide)
                guard (lo...hi).contains(w), (lo...hi).contains(h) else {
                    throw APIError.invalidImage("request body: \(w)x\(h) is outside the accepted \(lo)x\(lo) to \(hi)x\(hi)")
                }
                let resized = decoded.image.converted(to: .rgb).resized(width: size.width, height: size.height, filter: .antialiased)
                let r = loaded.inspect(resized)
                let mask = try withMask ? ImageEncoder.png(r.map.resized(width: w, height: h).maskImage(threshold: r.mapThreshold)) : nil
                return DetectAnomaliesResult(r, mask: mask.map { Data($0).base64EncodedString() })
            }
            return answer(result, route: route, input: .image(bytes, contentType: type, isFace: false))
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

/// Lookout for Vision's DetectAnomalies result (DESIGN.md), plus Score and Threshold.
struct DetectAnomaliesResult: Encodable {
    struct Source: Encodable { var `Type` = "direct" }
    struct PixelAnomaly: Encodable {
        var TotalPercentageArea: Double
        var Color: String?
    }
    struct Anomaly: Encodable {
        var Name: String
        var PixelAnomaly: PixelAnomaly
    }
    var Source = Source()
    var IsAnomalous: Bool
    var Confidence: Double
    var Score: Double
    var Threshold: Double
    var AnomalyMask: String?
    var Anomalies: [Anomaly]

    init(_ r: InspectionResult, mask: String?) {
        IsAnomalous = r.isAnomalous
        Confidence = r.confidence
        Score = Double(r.score)
        Threshold = Double(r.threshold)
        AnomalyMask = mask
        Anomalies = [Anomaly(Name: "background", PixelAnomaly: .init(TotalPercentageArea: 1 - r.anomalousArea)),
                     Anomaly(Name: "anomaly", PixelAnomaly: .init(TotalPercentageArea: r.anomalousArea, Color: "#FF0000"))]
    }
}
