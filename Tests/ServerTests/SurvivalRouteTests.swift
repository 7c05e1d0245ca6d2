import Foundation
import Server
import Tabular
import Testing

@Suite(.serialized) struct SurvivalRouteTests {
    let model: TabularModel

    init() throws {
        model = try TabularModel.load(path: repositoryModels.appendingPathComponent("titanic-survival.json").path)
    }

    @Test func jsonAndCSVGiveTheModelsPredictionInAmazonMLShape() async throws {
        try await withService(try shippedSurvivalCatalog.get()) { server in
            let expected = try model.predict(["age": "28", "sex": "male", "pclass": "3", "embarked": "S"])

            let json = try await server.postJSON("/v1/survival/predict", ["age": 28, "sex": "male", "pclass": 3, "embarked": "S"])
            #expect(json.status == 200)
            #expect(json.header("Content-Type") == "application/json")
            let decoded = try JSONDecoder().decode(PredictResponse.self, from: json.body)
            #expect(decoded == expected)
            #expect(decoded.Prediction.details.PredictiveModelType == "BINARY")

            let csv = try await server.call("POST", "/v1/survival/predict", body: Data("28,male,3,S\n".utf8), contentType: "text/csv")
            #expect(csv.status == 200)
            #expect(try JSONDecoder().decode(PredictResponse.self, from: csv.body) == expected)

            let withHeader = try await server.call("POST", "/v1/survival/predict", body: Data("sex,age,embarked,pclass\nmale,28,S,3\n".utf8), contentType: "text/csv; charset=utf-8")
            #expect(try JSONDecoder().decode(PredictResponse.self, from: withHeader.body) == expected)

            // A young woman in first class scores higher than the man in third.
            let woman = try await server.postJSON("/v1/survival/predict", ["age": "30", "sex": "female", "pclass": 1, "embarked": "C"])
            let womanScore = try JSONDecoder().decode(PredictResponse.self, from: woman.body).Prediction.predictedScores["1"] ?? 0
            #expect(womanScore > (expected.Prediction.predictedScores["1"] ?? 1))

            // Class and port may be missing (the recipe handles missing values).
            let partial = try await server.postJSON("/v1/survival/predict", ["age": 30, "sex": "female"])
            #expect(partial.status == 200)
            #expect(try JSONDecoder().decode(PredictResponse.self, from: partial.body) == model.predict(["age": "30", "sex": "female"]))
        }
    }

    @Test func badInputsGetJSONErrorsNamingTheField() async throws {
        try await withService(try StubCatalog.catalog()) { server in
            let cases: [([String: Any], String)] = [
                (["age": 28, "sex": "robot"], "sex 'robot'"),
                (["age": 300, "sex": "male"], "age 300"),
                (["age": 28, "sex": "male", "pclass": 4], "pclass 4"),
                (["age": 28, "sex": "male", "embarked": "X"], "embarked 'X'"),
                ([:], "missing required fields: age, sex"),
                (["sex": "female", "pclass": 1], "missing required field: age"),
                (["name": "Jack"], "unknown field 'name'"),
                (["age": true], "expected a JSON object"),
            ]
            for (body, fragment) in cases {
                let reply = try await server.postJSON("/v1/survival/predict", body)
                #expect(reply.status == 400, "\(body)")
                #expect(reply.error?.code == "BadRequest")
                #expect(reply.error?.message.contains(fragment) == true, "\(reply.text) should name \(fragment)")
            }
            let notJSON = try await server.call("POST", "/v1/survival/predict", body: Data("{age: 28".utf8), contentType: "application/json")
            #expect(notJSON.status == 400)
            let twoRows = try await server.call("POST", "/v1/survival/predict", body: Data("28,male,3,S\n30,female,1,C\n".utf8), contentType: "text/csv")
            #expect(twoRows.status == 400)
            #expect(twoRows.error?.message.contains("one CSV row") == true)
            let shortRow = try await server.call("POST", "/v1/survival/predict", body: Data("28,male\n".utf8), contentType: "text/csv")
            #expect(shortRow.status == 400)

            let wrongType = try await server.call("POST", "/v1/survival/predict", body: Data("age=28".utf8), contentType: "application/x-www-form-urlencoded")
            #expect(wrongType.status == 415)
            #expect(wrongType.error?.code == "UnsupportedMediaType")
            #expect(wrongType.error?.message.contains("application/json or text/csv") == true)
            let noType = try await server.call("POST", "/v1/survival/predict", body: Data("{}".utf8))
            #expect(noType.status == 415)

            let huge = Data(repeating: UInt8(ascii: " "), count: 6_500_000)
            let tooLarge = try await server.call("POST", "/v1/survival/predict", body: huge, contentType: "application/json")
            #expect(tooLarge.status == 413)
            #expect(tooLarge.error?.code == "PayloadTooLarge")
        }
    }
}
