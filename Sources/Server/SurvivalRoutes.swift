import Foundation
import Hummingbird
import Tabular

extension InspectService {
    func addSurvivalRoutes(to router: Router<BasicRequestContext>) {
        let route = "/v1/survival/predict"
        self.route(router, .post, route) { [self] request, _ in
            let type = try BodyReader.requireMediaType(request, ["application/json", "text/csv"])
            let bytes = try await body.collect(request)
            let text = String(decoding: bytes, as: UTF8.self)
            let input = try type == "text/csv" ? Self.survivalInput(csv: text, features: models.survival.features)
                                               : Self.survivalInput(json: bytes)
            let prediction = try await predictSurvival(input)
            return answer(prediction, route: route, input: .text(text, contentType: type))
        }
    }

    /// Scores a passenger through the inference queue; a passenger without the required
    /// fields is a bad request naming them.
    func predictSurvival(_ input: SurvivalInput) async throws -> PredictResponse {
        let model = models.survival
        let row: [String: String]
        do throws(TabularError) { row = try input.readyToPredict().row } catch { throw APIError.badRequest(error.message) }
        return try await queue.run(model: models.survivalName) {
            do { return try model.predict(row) } catch { throw APIError.badRequest("\(error)") }
        }
    }

    /// `{"age": 28, "sex": "male", "pclass": 3, "embarked": "S"}`: numbers or strings, null for missing.
    static func survivalInput(json bytes: [UInt8]) throws -> SurvivalInput {
        let values: [String: JSONScalar]
        do { values = try JSONDecoder().decode([String: JSONScalar].self, from: Data(bytes)) } catch {
            throw APIError.badRequest("expected a JSON object of numbers and strings like {\"age\": 28, \"sex\": \"male\", \"pclass\": 3, \"embarked\": \"S\"}")
        }
        var fields: [String: String?] = [:]
        for (key, value) in values { fields[key] = value.text }
        do { return try SurvivalInput(fields: fields) } catch { throw APIError.badRequest(error.message) }
    }

    /// A SageMaker-style CSV row in the model's feature order (`28,male,3,S`), optionally
    /// under a header line naming the columns.
    static func survivalInput(csv text: String, features: [String]) throws -> SurvivalInput {
        let lines = text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        let hasHeader = lines.first.map { $0.lowercased().split(separator: ",").contains { features.contains($0.trimmingCharacters(in: .whitespaces)) } } ?? false
        let header = hasHeader ? lines[0] : features.joined(separator: ",")
        let rows = hasHeader ? Array(lines.dropFirst()) : lines
        guard rows.count == 1 else {
            throw APIError.badRequest("expected one CSV row (\(features.joined(separator: ","))), got \(rows.count)")
        }
        let table: CSVTable
        do { table = try CSVReader.parse(text: header + "\n" + rows[0], source: "CSV body") } catch {
            throw APIError.badRequest("\(error)")
        }
        guard let cells = table.rows.first, cells.count == table.header.count else {
            throw APIError.badRequest("the CSV row has \(table.rows.first?.count ?? 0) values; expected \(table.header.count) (\(table.header.joined(separator: ",")))")
        }
        var fields: [String: String?] = [:]
        for (name, cell) in zip(table.header, cells) { fields[name.trimmingCharacters(in: .whitespaces)] = cell }
        do { return try SurvivalInput(fields: fields) } catch { throw APIError.badRequest(error.message) }
    }
}

/// A JSON number, string or null, read as text (null as missing).
struct JSONScalar: Decodable {
    var text: String?
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { text = nil }
        else if let s = try? c.decode(String.self) { text = s }
        else if let n = try? c.decode(Double.self) { text = SurvivalInput.fieldText(n) }
        else { throw DecodingError.typeMismatch(String.self, .init(codingPath: decoder.codingPath, debugDescription: "expected a number, string or null")) }
    }
}
