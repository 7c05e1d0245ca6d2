// Model cards: the JSON files beside the weights (architecture, input normalisation, the
// weights' sha256, source package, version, licence) and the tabular model files.
import Foundation

/// Reads a JSON model card into a Decodable type. The one place cards are read, so every
/// broken card gets the same kind of error: the file, the field's path and what is wrong.
public enum ModelCardReader {
    public static func read<Card: Decodable>(_ type: Card.Type, from path: String,
                                             using decoder: JSONDecoder = JSONDecoder()) throws(ModelCardError) -> Card {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelCardError(file: path, reason: "cannot read the file (missing or unreadable)")
        }
        return try decode(type, from: data, file: path, using: decoder)
    }

    /// Decodes bytes already read from `file` (the name the errors give).
    public static func decode<Card: Decodable>(_ type: Card.Type, from data: Data, file: String,
                                               using decoder: JSONDecoder = JSONDecoder()) throws(ModelCardError) -> Card {
        do {
            return try decoder.decode(type, from: data)
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty, let problem = JSONSyntaxProblem.describe(data) {
                throw ModelCardError(file: file, reason: "not valid JSON: \(problem)")
            }
            throw ModelCardError(file: file, decoding: error)
        } catch let error as ModelCardError {
            throw error
        } catch {
            throw ModelCardError(file: file, reason: "\(error)")
        }
    }
}
