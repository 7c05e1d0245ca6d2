import Faces
import Foundation
import Hummingbird
import Imaging
import Tabular

extension InspectService {
    func addFaceRoutes(to router: Router<BasicRequestContext>) {
        guard let analyzer = models.faces else { return }
        let detectRoute = "/v1/faces/detect"
        route(router, .post, detectRoute) { [self] request, _ in
            let (bytes, type) = try await body.imageBytes(request)
            let faces = try await detectFaces(analyzer, bytes: bytes, source: "request body")
            return answer(FaceDetails(faces), route: detectRoute, input: .image(bytes, contentType: type, isFace: true))
        }

        let selfieRoute = "/v1/survival/selfie"
        route(router, .post, selfieRoute) { [self] request, _ in
            guard let contentType = request.headers[.contentType], BodyReader.mediaType(request) == "multipart/form-data" else {
                throw APIError.unsupportedMediaType(request.headers[.contentType], expected: ["multipart/form-data"])
            }
            let form = try await body.collect(request)
            let parts: [FormPart]
            do { parts = try MultipartForm.parse(form, boundary: try MultipartForm.boundary(contentType: contentType)) } catch {
                throw APIError.badRequest("\(error)")
            }
            guard let photo = parts.first(where: { $0.name == "photo" }) else {
                throw APIError.badRequest("the form has no 'photo' part (fields: \(parts.map(\.name).joined(separator: ", ")))")
            }
            if let type = photo.contentType, !BodyReader.imageTypes.contains(type), type != "application/octet-stream" {
                throw APIError.unsupportedMediaType(type, expected: BodyReader.imageTypes)
            }
            var fields: [String: String?] = [:]
            for part in parts where ["pclass", "embarked"].contains(part.name) { fields[part.name] = part.text }
            let options: SurvivalInput
            do { options = try SurvivalInput(fields: fields) } catch { throw APIError.badRequest("\(error)") }

            let faces = try await queue.run(model: "faces") { [body] in
                try body.withImage(photo.body, source: "photo") { limits throws(ImagingError) in
                    try analyzer.analyze(encoded: photo.body, source: "photo", limits: limits)
                }
            }
            guard let face = faces.subject else {
                throw APIError(.unprocessableContent, code: "NoFaceFound",
                               "no face found in the photo: use a well-lit photo with the face turned to the camera, or fill in the form")
            }
            let model = models.survival
            let reading = FaceReading(face, ageBins: analyzer.estimator.ageBins)
            let estimate = try await queue.run(model: models.survivalName) {
                do throws(TabularError) { return try SelfiePassenger.estimate(reading, pclass: options.pclass, embarked: options.embarked, model: model) } catch {
                    throw APIError.badRequest(error.message)
                }
            }
            let result = SelfieSurvivalAnswer(face: face, facesFound: faces.count, estimate: estimate)
            return answer(result, route: selfieRoute, input: .image(photo.body, contentType: photo.contentType ?? "image/jpeg", isFace: true))
        }
    }
}

extension InspectService {
    /// Every face in an encoded photo, analysed in the inference queue (with `--max-batch`, as
    /// part of a batch of face requests).
    func detectFaces(_ analyzer: FaceAnalyzer, bytes: [UInt8], source: String) async throws -> [FaceDetail] {
        let request = FaceRequest(bytes: bytes, source: source)
        if let batcher {
            return try await batcher.submit(key: "faces", model: "faces", request) { [body] requests in
                Self.detectFaces(analyzer, requests, body: body)
            }
        }
        return try await queue.run(model: "faces") { [body] in try Self.detectFaces(analyzer, [request], body: body)[0].get() }
    }

    /// One face request's photo and the name its errors give it.
    struct FaceRequest: Sendable {
        var bytes: [UInt8]
        var source: String
    }

    /// Analyses a batch of photos, one photo per core at a time (`FaceAnalyzer.analyze(encodedPhotos:)`).
    /// A photo that cannot be read fails its own request only.
    static func detectFaces(_ analyzer: FaceAnalyzer, _ requests: [FaceRequest], body: BodyReader) -> [Result<[FaceDetail], any Error>] {
        let readable = requests.filter { !$0.bytes.isEmpty }
        var analysed = analyzer.analyze(encodedPhotos: readable.map { ($0.bytes, $0.source) }, limits: body.decodeOptions).makeIterator()
        return requests.map { request -> Result<[FaceDetail], any Error> in
            Result {
                try body.requireBytes(request.bytes, source: request.source)
                guard let faces = analysed.next() else { throw APIError.internalError("the batch returned no result for this photo") }
                do throws(ImagingError) { return try faces.get().map(\.detail) } catch { throw BodyReader.invalidImage(error) }
            }
        }
    }
}
