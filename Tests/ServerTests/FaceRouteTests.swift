import Foundation
import Imaging
import Server
import Tabular
import Testing

/// The face routes answer with the shipped face models, so these tests load them.
@Suite(.serialized) struct FaceRouteTests {
    /// A plain grey picture: decodable, no face in it.
    static func facelessPNG() throws -> Data {
        Data(try ImageEncoder.png(Image(width: 200, height: 160, format: .rgb, pixels: [UInt8](repeating: 128, count: 200 * 160 * 3))))
    }

    @Test(.enabled(if: hasPortrait, "needs ../shared/datasets/portraits"))
    func detectsThePortraitsFaceInRekognitionShape() async throws {
        try await withService(try sharedCatalog.get()) { server in
            let reply = try await server.call("POST", "/v1/faces/detect", body: try Data(contentsOf: portrait), contentType: "image/jpeg")
            #expect(reply.status == 200)
            let faces = try #require(reply.json["FaceDetails"] as? [[String: Any]])
            #expect(faces.count >= 1)
            let face = try #require(faces.first)
            let box = try #require(face["BoundingBox"] as? [String: Double])
            for key in ["Width", "Height", "Left", "Top"] { #expect((box[key] ?? -1) >= 0 && (box[key] ?? 2) <= 1, "\(key)") }
            #expect((face["Gender"] as? [String: Any])?["Value"] as? String == "Male")
            let range = try #require(face["AgeRange"] as? [String: Int])
            #expect((range["Low"] ?? 0) <= (range["High"] ?? -1))
            #expect((face["Landmarks"] as? [[String: Any]])?.count == 5)

            let none = try await server.call("POST", "/v1/faces/detect", body: try Self.facelessPNG(), contentType: "image/png")
            #expect(none.status == 200)
            #expect((none.json["FaceDetails"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func imageErrorsNameTheReason() async throws {
        try await withService(try sharedCatalog.get()) { server in
            let garbage = Data("this is not a picture at all".utf8)
            let expected: String
            do { _ = try ImageDecoder.decode(Array(garbage), source: "request body"); expected = "" } catch { expected = "\(error)" }
            let bad = try await server.call("POST", "/v1/faces/detect", body: garbage, contentType: "image/jpeg")
            #expect(bad.status == 400)
            #expect(bad.error?.code == "InvalidImage")
            #expect(bad.error?.message == expected)
            let truncated = try await server.call("POST", "/v1/faces/detect", body: try Self.facelessPNG().prefix(100), contentType: "image/png")
            #expect(truncated.status == 400)
            #expect(truncated.error?.code == "InvalidImage")
            let empty = try await server.call("POST", "/v1/faces/detect", body: Data(), contentType: "image/png")
            #expect(empty.status == 400)
            let gif = try await server.call("POST", "/v1/faces/detect", body: garbage, contentType: "image/gif")
            #expect(gif.status == 415)
            #expect(gif.error?.message.contains("image/jpeg or image/png") == true)
        }
    }

    @Test(.enabled(if: hasPortrait, "needs ../shared/datasets/portraits"))
    func selfieFillsAgeAndSexAndPredicts() async throws {
        try await withService(try sharedCatalog.get()) { server in
            let (form, type) = multipartForm([("pclass", nil, nil, Data("1".utf8)), ("embarked", nil, nil, Data("C".utf8)),
                                              ("photo", "obama.jpg", "image/jpeg", try Data(contentsOf: portrait))])
            let reply = try await server.call("POST", "/v1/survival/selfie", body: form, contentType: type)
            #expect(reply.status == 200, "\(reply.text)")
            let face = try #require(reply.json["Face"] as? [String: Any])
            let used = try #require(reply.json["UsedInput"] as? [String: Any])
            #expect(used["sex"] as? String == "male")
            #expect(used["pclass"] as? Int == 1)
            #expect(used["embarked"] as? String == "C")
            let age = try #require(used["age"] as? Double)
            #expect(age == ((face["Age"] as? Double) ?? -1).rounded())
            // The score is the survival probability averaged over the face model's sex
            // probability and age range; the most likely passenger's own score lies in the range.
            let estimate = try #require(reply.json["Estimate"] as? [String: Any])
            let probability = try #require(estimate["probability"] as? Double)
            let low = try #require(estimate["low"] as? Double), high = try #require(estimate["high"] as? Double)
            let model = try sharedCatalog.get().survival
            let point = try model.predict(["age": String(Int(age)), "sex": "male", "pclass": "1", "embarked": "C"]).Prediction.predictedScores["1"] ?? -1
            #expect(low <= point && point <= high)
            #expect(low <= probability && probability <= high)
            let prediction = try #require(reply.json["Prediction"] as? [String: Any])
            let score = try #require((prediction["predictedScores"] as? [String: Double])?["1"])
            #expect(score == probability)
            #expect(prediction["predictedLabel"] as? String == (probability >= model.threshold ? "1" : "0"))
            #expect(["likely saved", "likely not saved", "unsure"].contains(estimate["verdict"] as? String ?? ""))
            #expect(estimate["caveats"] is [String])
        }
    }

    @Test func selfieErrors() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inspect-selfie-capture-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        // Capture with images on, selfies off: no face photo may be written.
        try await withService(try sharedCatalog.get(), capture: CaptureSettings(directory: dir, percent: 100, storeImages: true, storeFaces: false)) { server in
            let (noFace, type) = multipartForm([("photo", "wall.png", "image/png", try Self.facelessPNG())])
            let reply = try await server.call("POST", "/v1/survival/selfie", body: noFace, contentType: type)
            #expect(reply.status == 422)
            #expect(reply.error?.code == "NoFaceFound")
            #expect(reply.error?.message.contains("no face found") == true)

            let (noPhoto, type2) = multipartForm([("pclass", nil, nil, Data("2".utf8))])
            let missing = try await server.call("POST", "/v1/survival/selfie", body: noPhoto, contentType: type2)
            #expect(missing.status == 400)
            #expect(missing.error?.message.contains("'photo'") == true)

            let (badClass, type3) = multipartForm([("pclass", nil, nil, Data("7".utf8)), ("photo", "wall.png", "image/png", try Self.facelessPNG())])
            let wrongClass = try await server.call("POST", "/v1/survival/selfie", body: badClass, contentType: type3)
            #expect(wrongClass.status == 400)
            #expect(wrongClass.error?.message.contains("pclass 7") == true)

            let (garbage, type4) = multipartForm([("photo", "x.jpg", "image/jpeg", Data("nope".utf8))])
            let undecodable = try await server.call("POST", "/v1/survival/selfie", body: garbage, contentType: type4)
            #expect(undecodable.status == 400)
            #expect(undecodable.error?.code == "InvalidImage")

            let cut = try await server.call("POST", "/v1/survival/selfie", body: noFace.prefix(noFace.count - 30), contentType: type)
            #expect(cut.status == 400)
            let json = try await server.postJSON("/v1/survival/selfie", ["age": 3])
            #expect(json.status == 415)
            #expect(json.error?.message.contains("multipart/form-data") == true)

            if hasPortrait {
                let (selfie, type5) = multipartForm([("photo", "obama.jpg", "image/jpeg", try Data(contentsOf: portrait))])
                #expect(try await server.call("POST", "/v1/survival/selfie", body: selfie, contentType: type5).status == 200)
                let images = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("images").path)
                #expect(images.isEmpty, "selfies must not be stored without --capture-selfies")
                let log = try String(contentsOf: dir.appendingPathComponent("capture.jsonl"), encoding: .utf8)
                #expect(log.contains("\"route\":\"/v1/survival/selfie\""))
            }
        }
    }
}
