import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Imaging
import Inspection
@testable import Server
import Testing

/// The AWS-compatible routes: each service's response shape, its error codes and statuses as
/// botocore reads them, and the signature check in front of all of them.
@Suite(.serialized) struct AWSRouteTests {
    static func photo(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    // MARK: Lookout for Vision

    @Test func lookoutDetectAnomaliesAnswersTheModelsVerdictWithItsMask() async throws {
        let trained = try TrainedSurfaceModel.shared.get()
        try await withService(try trained.catalog()) { server in
            let path = try #require(trained.defective.first)
            let body = try Self.photo(path)
            let reply = try await server.aws("/2020-11-20/projects/surface/models/1/detect", contentType: "image/png", body: body)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.header("x-amzn-RequestId") != nil)
            let result = try #require(reply.json["DetectAnomalyResult"] as? [String: Any])
            let own = try await server.call("POST", "/v1/inspection/surface/detect?mask=true", body: body, contentType: "image/png")
            #expect(result["IsAnomalous"] as? Bool == own.json["IsAnomalous"] as? Bool)
            #expect(result["Confidence"] as? Double == own.json["Confidence"] as? Double)
            #expect((result["Source"] as? [String: String])?["Type"] == "direct")
            #expect((result["Anomalies"] as? [[String: Any]])?.map { $0["Name"] as? String } == ["background", "anomaly"])
            let encodedMask = try #require(result["AnomalyMask"] as? String)
            let mask = try Image(decoding: Array(try #require(Data(base64Encoded: encodedMask))))
            #expect(mask.width == 160 && mask.height == 120)
            // "latest" is the served version; a version the model does not have is not found.
            let latest = try await server.aws("/2020-11-20/projects/surface/models/latest/detect", contentType: "image/png", body: body)
            #expect((latest.json["DetectAnomalyResult"] as? [String: Any])?["Confidence"] as? Double == result["Confidence"] as? Double)
            let other = try await server.aws("/2020-11-20/projects/surface/models/3/detect", contentType: "image/png", body: body)
            #expect(other.status == 404 && other.awsErrorCode == "ResourceNotFoundException")
            #expect(other.json["ResourceType"] as? String == "MODEL" && other.awsMessage?.contains("no version 3") == true, "\(other.text)")
        }
    }

    @Test func lookoutErrorsAreItsModeledExceptions() async throws {
        let trained = try TrainedSurfaceModel.shared.get()
        try await withService(try trained.catalog()) { server in
            let body = try Self.photo(try #require(trained.good.first))
            let missing = try await server.aws("/2020-11-20/projects/nothing/models/1/detect", contentType: "image/png", body: body)
            #expect(missing.status == 404 && missing.awsErrorCode == "ResourceNotFoundException")
            #expect(missing.json["ResourceType"] as? String == "PROJECT" && missing.json["ResourceId"] as? String == "nothing")
            #expect(missing.awsMessage?.contains("surface") == true)
            for version in ["0", "v1", "12345678901"] {
                let bad = try await server.aws("/2020-11-20/projects/surface/models/\(version)/detect", contentType: "image/png", body: body)
                #expect(bad.status == 400 && bad.awsErrorCode == "ValidationException", "\(version)")
            }
            let wrongType = try await server.aws("/2020-11-20/projects/surface/models/1/detect", contentType: "image/gif", body: body)
            #expect(wrongType.status == 400 && wrongType.awsErrorCode == "ValidationException")
            let garbage = try await server.aws("/2020-11-20/projects/surface/models/1/detect", contentType: "image/png", body: Data("not a picture".utf8))
            #expect(garbage.status == 400 && garbage.awsErrorCode == "ValidationException")
            #expect(garbage.awsMessage?.isEmpty == false)
        }
    }

    @Test func fullQueueIsEachServicesThrottlingAnswer() async throws {
        let trained = try TrainedSurfaceModel.shared.get()
        var limits = ServerLimits()
        limits.inferenceQueueCapacity = 0
        limits.artificialInferenceDelaySeconds = 1
        let body = try Self.photo(try #require(trained.good.first))
        try await withService(try trained.catalog(), limits: limits) { server in
            let replies = try await withThrowingTaskGroup(of: HTTPReply.self) { group in
                for _ in 0..<3 {
                    group.addTask { try await server.aws("/2020-11-20/projects/surface/models/1/detect", contentType: "image/png", body: body) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let throttled = replies.filter { $0.status == 429 }
            #expect(throttled.count == 2)
            #expect(throttled.allSatisfy { $0.awsErrorCode == "ThrottlingException" && $0.header("Retry-After") == "1" })

            let predictions = try await withThrowingTaskGroup(of: HTTPReply.self) { group in
                for _ in 0..<3 {
                    group.addTask { try await server.awsJSON("AmazonML_20141212.Predict", Self.passenger) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(predictions.filter { $0.status == 417 && $0.awsErrorCode == "LimitExceededException" }.count == 2)

            let invocations = try await withThrowingTaskGroup(of: HTTPReply.self) { group in
                for _ in 0..<3 {
                    group.addTask { try await server.aws("/endpoints/titanic-survival/invocations", contentType: "text/csv", body: Data("28,male,3,S".utf8)) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(invocations.filter { $0.status == 503 && $0.awsErrorCode == "ServiceUnavailable" }.count == 2)
        }
    }

    // MARK: Amazon ML

    static var passenger: [String: Any] { ["MLModelId": "titanic-survival", "PredictEndpoint": "http://127.0.0.1:8080",
                                           "Record": ["age": "28", "sex": "female", "pclass": "2", "embarked": "S", "name": "ignored"]] }

    @Test func machineLearningPredictMatchesTheSurvivalRoute() async throws {
        try await withService(try StubCatalog.catalog()) { server in
            let reply = try await server.awsJSON("AmazonML_20141212.Predict", Self.passenger)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.header("Content-Type") == "application/x-amz-json-1.1")
            let prediction = try #require(reply.json["Prediction"] as? [String: Any])
            let own = try await server.postJSON("/v1/survival/predict", ["age": 28, "sex": "female", "pclass": 2, "embarked": "S"])
            let ownPrediction = try #require(own.json["Prediction"] as? [String: Any])
            #expect(prediction["predictedLabel"] as? String == ownPrediction["predictedLabel"] as? String)
            #expect(prediction["predictedScores"] as? [String: Double] == ownPrediction["predictedScores"] as? [String: Double])
            #expect((prediction["details"] as? [String: String])?["PredictiveModelType"] == "BINARY")
        }
    }

    @Test func machineLearningErrorsCarryTypeAndLowerCaseMessage() async throws {
        try await withService(try StubCatalog.catalog()) { server in
            var unknown = Self.passenger
            unknown["MLModelId"] = "ml-XXXXXXXX"
            let missing = try await server.awsJSON("AmazonML_20141212.Predict", unknown)
            #expect(missing.status == 400 && missing.json["__type"] as? String == "ResourceNotFoundException")
            #expect((missing.json["message"] as? String)?.contains("ml-XXXXXXXX") == true)
            var noSex = Self.passenger
            noSex["Record"] = ["age": "30"]
            let invalid = try await server.awsJSON("AmazonML_20141212.Predict", noSex)
            #expect(invalid.status == 400 && invalid.json["__type"] as? String == "InvalidInputException")
            #expect((invalid.json["message"] as? String)?.contains("sex") == true)
            let notJSON = try await server.aws("/", target: "AmazonML_20141212.Predict", contentType: "application/x-amz-json-1.1", body: Data("{nope".utf8))
            #expect(notJSON.status == 400 && notJSON.awsErrorCode == "SerializationException")
            let operation = try await server.awsJSON("AmazonML_20141212.CreateMLModel", [:])
            #expect(operation.status == 400 && operation.awsErrorCode == "UnknownOperationException")
            let noTarget = try await server.aws("/", contentType: "application/x-amz-json-1.1", body: Data("{}".utf8))
            #expect(noTarget.status == 400 && noTarget.awsErrorCode == "UnknownOperationException")
        }
    }

    // MARK: SageMaker Runtime

    @Test func sageMakerEndpointsAreTheModelsByName() async throws {
        let trained = try TrainedSurfaceModel.shared.get()
        try await withService(try trained.catalog()) { server in
            let csv = try await server.aws("/endpoints/titanic-survival/invocations", contentType: "text/csv", body: Data("28,female,2,S".utf8))
            #expect(csv.status == 200, "\(csv.text)")
            #expect(csv.header("x-Amzn-Invoked-Production-Variant") == "AllTraffic")
            let scores = try #require((csv.json["Prediction"] as? [String: Any])?["predictedScores"] as? [String: Double])
            let score = try #require(scores["1"])
            let json = try await server.aws("/endpoints/titanic-survival/invocations", contentType: "application/json",
                                            body: Data(#"{"age": 28, "sex": "female", "pclass": 2, "embarked": "S"}"#.utf8))
            #expect((json.json["Prediction"] as? [String: Any])?["predictedScores"] as? [String: Double] == ["1": score])
            let plain = try await server.aws("/endpoints/titanic-survival/invocations", contentType: "text/csv", body: Data("28,female,2,S".utf8),
                                             extra: [("Accept", "text/csv")])
            #expect(plain.header("Content-Type") == "text/csv")
            // Foundation's JSON parser may round the last digit: compared within 1e-12.
            let plainScore = try #require(Double(plain.text.trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(abs(plainScore - score) <= 1e-12)

            let photo = try Self.photo(try #require(trained.defective.first))
            let image = try await server.aws("/endpoints/surface/invocations", contentType: "image/png", body: photo)
            #expect(image.status == 200 && image.json["IsAnomalous"] is Bool && image.json["AnomalyMask"] == nil)
            let masked = try await server.aws("/endpoints/surface/invocations", contentType: "image/png", body: photo,
                                              extra: [("X-Amzn-SageMaker-Custom-Attributes", "mask=true")])
            #expect(masked.json["AnomalyMask"] is String)
        }
    }

    @Test func sageMakerErrorsAreValidationOrModelErrors() async throws {
        let trained = try TrainedSurfaceModel.shared.get()
        try await withService(try trained.catalog()) { server in
            let unknown = try await server.aws("/endpoints/nothing/invocations", contentType: "text/csv", body: Data("1".utf8))
            #expect(unknown.status == 400 && unknown.awsErrorCode == "ValidationError")
            #expect(unknown.awsMessage?.contains("titanic-survival") == true)
            let badRow = try await server.aws("/endpoints/titanic-survival/invocations", contentType: "text/csv", body: Data("28,robot,3,S".utf8))
            #expect(badRow.status == 424 && badRow.awsErrorCode == "ModelError")
            #expect(badRow.json["OriginalStatusCode"] as? Int == 400 && (badRow.json["OriginalMessage"] as? String)?.contains("robot") == true)
            let wrongType = try await server.aws("/endpoints/surface/invocations", contentType: "text/csv", body: Data("1".utf8))
            #expect(wrongType.status == 424 && wrongType.json["OriginalStatusCode"] as? Int == 415)
        }
    }

    // MARK: Rekognition

    @Test(.enabled(if: hasPortrait, "needs ../shared/datasets/portraits"))
    func rekognitionDetectFacesAnswersTheAttributesAskedFor() async throws {
        let bytes = try Data(contentsOf: portrait).base64EncodedString()
        try await withService(try sharedCatalog.get()) { server in
            let all = try await server.awsJSON("RekognitionService.DetectFaces", ["Image": ["Bytes": bytes], "Attributes": ["ALL"]])
            #expect(all.status == 200, "\(all.text)")
            let face = try #require((all.json["FaceDetails"] as? [[String: Any]])?.first)
            #expect((face["Gender"] as? [String: Any])?["Value"] as? String == "Male")
            let range = try #require(face["AgeRange"] as? [String: Int])
            #expect((range["Low"] ?? 0) <= (range["High"] ?? -1))
            #expect((face["Landmarks"] as? [[String: Any]])?.count == 5)
            #expect((face["BoundingBox"] as? [String: Double])?.count == 4)
            #expect(face["Age"] == nil && face["AlignedLandmarks"] == nil)

            let plain = try await server.awsJSON("RekognitionService.DetectFaces", ["Image": ["Bytes": bytes]])
            let basic = try #require((plain.json["FaceDetails"] as? [[String: Any]])?.first)
            #expect(basic["AgeRange"] == nil && basic["Gender"] == nil && basic["BoundingBox"] != nil && basic["Confidence"] != nil)
        }
    }

    @Test func rekognitionErrorsAreItsModeledExceptions() async throws {
        try await withService(try sharedCatalog.get()) { server in
            let target = "RekognitionService.DetectFaces"
            let garbage = try await server.awsJSON(target, ["Image": ["Bytes": Data("not a picture".utf8).base64EncodedString()]])
            #expect(garbage.status == 400 && garbage.json["__type"] as? String == "InvalidImageFormatException")
            let huge = try await server.awsJSON(target, ["Image": ["Bytes": Data(count: 5_242_881).base64EncodedString()]])
            #expect(huge.status == 400 && huge.awsErrorCode == "ImageTooLargeException", "\(huge.text.prefix(300))")
            let s3 = try await server.awsJSON(target, ["Image": ["S3Object": ["Bucket": "b", "Name": "n.jpg"]]])
            #expect(s3.status == 400 && s3.awsErrorCode == "InvalidS3ObjectException")
            let attribute = try await server.awsJSON(target, ["Image": ["Bytes": "AAAA"], "Attributes": ["MOOD"]])
            #expect(attribute.status == 400 && attribute.awsErrorCode == "InvalidParameterException")
            #expect(attribute.json["Message"] is String)
        }
    }

    // MARK: Signatures and ports

    @Test func signedRequestsPassAndEveryOtherIsRefused() async throws {
        var aws = AWSSettings(credentials: AWSTestKeys.credentials)
        let now = Date()
        aws.clock = { now }
        try await withAWSService(try StubCatalog.catalog(), aws: aws) { server in
            let body = try JSONSerialization.data(withJSONObject: Self.passenger)
            let request = SignedRequest(path: "/", headers: [("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "AmazonML_20141212.Predict")], body: body)
            let ok = try await server.call("POST", "/", headers: request.signedHeaders(service: "machinelearning", date: now), body: body)
            #expect(ok.status == 200, "\(ok.text)")

            let wrong = try await server.call("POST", "/", headers: request.signedHeaders(secret: "wrong", service: "machinelearning", date: now), body: body)
            #expect(wrong.status == 403 && wrong.json["__type"] as? String == "InvalidSignatureException")
            #expect((wrong.json["message"] as? String)?.contains("does not match") == true)
            let old = try await server.call("POST", "/", headers: request.signedHeaders(service: "machinelearning", date: now.addingTimeInterval(-600)), body: body)
            #expect(old.status == 403 && (old.json["message"] as? String)?.hasPrefix("Signature expired") == true)
            let unsigned = try await server.call("POST", "/", headers: request.headers, body: body)
            #expect(unsigned.status == 403 && unsigned.awsErrorCode == "MissingAuthenticationTokenException")

            let csv = Data("28,male,3,S".utf8)
            let invoke = SignedRequest(path: "/endpoints/titanic-survival/invocations", headers: [("Content-Type", "text/csv")], body: csv)
            let signed = try await server.call("POST", invoke.path, headers: invoke.signedHeaders(service: "sagemaker", date: now), body: csv)
            #expect(signed.status == 200, "\(signed.text)")
            let tampered = try await server.call("POST", invoke.path, headers: invoke.signedHeaders(service: "sagemaker", date: now), body: Data("80,male,3,S".utf8))
            #expect(tampered.status == 403 && tampered.header("x-amzn-ErrorType") == "InvalidSignatureException")
            // Our own routes are not AWS's: no signature asked.
            let own = try await server.call("POST", "/v1/survival/predict", body: csv, contentType: "text/csv")
            #expect(own.status == 200)
        }
    }

    @Test func awsPortServesOnlyTheAWSRoutes() async throws {
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.aws.port = 0
        let service = try InspectService(configuration: configuration, models: try StubCatalog.catalog())
        let handle = try await service.start()
        func post(_ port: Int, _ path: String) async throws -> Int {
            var request = URLRequest(url: try #require(URL(string: "http://127.0.0.1:\(port)\(path)")))
            request.httpMethod = "POST"
            request.httpBody = Data("28,male,3,S".utf8)
            request.setValue("text/csv", forHTTPHeaderField: "Content-Type")
            let session = URLSession(configuration: .ephemeral)
            defer { session.finishTasksAndInvalidate() }
            let (_, response) = try await session.data(for: request)
            return (response as? HTTPURLResponse)?.statusCode ?? 0
        }
        var statuses: [Int] = []
        var failure: (any Error)?
        do {
            let awsPort = try #require(handle.awsPort)
            statuses = [awsPort != handle.port ? 1 : 0,
                        try await post(awsPort, "/endpoints/titanic-survival/invocations"),
                        try await post(handle.port, "/endpoints/titanic-survival/invocations"),
                        try await post(handle.port, "/v1/survival/predict"),
                        try await post(awsPort, "/v1/survival/predict")]
        } catch { failure = error }
        try await handle.shutdown()
        if let failure { throw failure }
        #expect(statuses == [1, 200, 404, 200, 404])
    }
}
