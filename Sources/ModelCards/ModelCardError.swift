import Foundation

/// A model card that cannot be used: the file, the field at fault (a path such as
/// `input.normalization.mean[2]`; nil for the file as a whole) and what is wrong with it.
public struct ModelCardError: Error, CustomStringConvertible, Equatable, Sendable {
    public let file: String
    public let field: String?
    public let reason: String

    public init(file: String, field: String? = nil, reason: String) {
        self.file = file
        self.field = field
        self.reason = reason
    }

    /// What is wrong, without the file name: "field input.width: expected a number".
    public var problem: String { field.map { "field \($0): \(reason)" } ?? reason }
    public var description: String { "\(file): \(problem)" }
}

extension ModelCardError {
    /// The field and the reason of a JSONDecoder error, in words (not the error's dump).
    init(file: String, decoding error: DecodingError) {
        func path(_ keys: [any CodingKey]) -> String? {
            var text = ""
            for key in keys {
                if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
            }
            return text.isEmpty ? nil : text
        }
        switch error {
        case .keyNotFound(let key, let context):
            self.init(file: file, field: path(context.codingPath + [key]), reason: "missing")
        case .valueNotFound(let type, let context):
            self.init(file: file, field: path(context.codingPath), reason: "is null, expected \(Self.kind(of: type))")
        case .typeMismatch(let type, let context):
            // JSONDecoder words what it found as "... but found a string instead."
            let found = context.debugDescription.range(of: "but found ").map {
                ", found " + context.debugDescription[$0.upperBound...].replacingOccurrences(of: " instead.", with: "")
            } ?? ""
            self.init(file: file, field: path(context.codingPath), reason: "expected \(Self.kind(of: type))\(found)")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                let detail = (context.underlyingError as? CustomStringConvertible).map { " (\($0.description))" } ?? ""
                self.init(file: file, reason: "not valid JSON\(detail)")
            } else {
                self.init(file: file, field: path(context.codingPath), reason: context.debugDescription)
            }
        @unknown default:
            self.init(file: file, reason: "cannot decode the card")
        }
    }

    /// A JSON kind for a Swift type: "a number", "a string", "a list", "an object"...
    private static func kind(of type: Any.Type) -> String {
        switch type {
        case is any BinaryInteger.Type, is any BinaryFloatingPoint.Type: "a number"
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is [String: Any].Type: "an object"
        case is [Any].Type: "a list"
        default: "an object"
        }
    }
}
