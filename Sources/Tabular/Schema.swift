import Foundation
import ModelCards

/// Amazon ML attribute types.
public enum AttributeType: String, Codable, Sendable, CaseIterable {
    case numeric = "NUMERIC", binary = "BINARY", categorical = "CATEGORICAL", text = "TEXT"
}

public struct Attribute: Codable, Sendable, Equatable {
    public var attributeName: String
    public var attributeType: AttributeType
    /// Why inference chose the type (shown to the user; ignored when read back).
    public var reason: String?
    public init(attributeName: String, attributeType: AttributeType, reason: String? = nil) {
        self.attributeName = attributeName
        self.attributeType = attributeType
        self.reason = reason
    }
}

/// An Amazon ML style data schema; the user can save it, edit types, and pass it back.
public struct Schema: Codable, Sendable, Equatable {
    public var version: String = "1.0"
    public var targetAttributeName: String?
    public var rowId: String?
    public var dataFormat: String = "CSV"
    public var dataFileContainsHeader: Bool = true
    public var attributes: [Attribute]
    public var excludedAttributeNames: [String] = []

    public init(targetAttributeName: String?, rowId: String?, attributes: [Attribute], excludedAttributeNames: [String] = []) {
        self.targetAttributeName = targetAttributeName
        self.rowId = rowId
        self.attributes = attributes
        self.excludedAttributeNames = excludedAttributeNames
    }

    public func attribute(_ name: String) -> Attribute? {
        attributes.first { $0.attributeName == name }
            ?? attributes.first { $0.attributeName.lowercased() == name.lowercased() }
    }

    public static func load(path: String) throws -> Schema {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TabularError("\(path): cannot read the schema file")
        }
        do { return try ModelCardReader.decode(Schema.self, from: data, file: path) }
        catch { throw TabularError("\(path): not a valid schema JSON (\(error.problem))") }
    }

    public func jsonData() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try e.encode(self)
    }

    /// Checks that a table has every column the schema names, naming the first one missing.
    public func check(against table: CSVTable) throws {
        for a in attributes where !table.header.contains(a.attributeName) {
            throw TabularError("\(table.source): schema column '\(a.attributeName)' is not in the file (columns: \(table.header.joined(separator: ", ")))")
        }
    }
}

/// Readable text for a JSON decoding error: which key or field, and why.
/// Values Amazon ML reads as binary, and which of each pair is the positive class.
public enum BinaryValues {
    static let positive: Set<String> = ["1", "true", "t", "yes", "y"]
    static let negative: Set<String> = ["0", "false", "f", "no", "n"]
    /// 1 for a positive value, 0 for a negative one, nil otherwise (case-insensitive; 1.0 is 1).
    public static func value(_ s: String) -> Double? {
        let t = s.trimmingCharacters(in: .whitespaces).lowercased()
        if positive.contains(t) { return 1 }
        if negative.contains(t) { return 0 }
        if let v = Double(t) { return v == 1 ? 1 : v == 0 ? 0 : nil }
        return nil
    }
}

/// Schema inference in the spirit of Amazon ML: look at the non-missing values of each
/// column and pick NUMERIC, BINARY, CATEGORICAL or TEXT, keeping the reason.
public enum SchemaInference {
    /// Most distinct values a string column may have and still be CATEGORICAL ...
    public static let maxCategoricalLevels = 50
    /// ... unless its values repeat a lot (distinct / non-missing at most this).
    public static let maxCategoricalRatio = 0.2

    public static func infer(_ table: CSVTable, target: String? = nil, rowId: String? = nil,
                             exclude: [String] = []) throws -> Schema {
        var excluded = try exclude.map { table.header[try table.columnIndex($0)] }
        let targetName = try target.map { table.header[try table.columnIndex($0)] }
        let rowIdName = try rowId.map { table.header[try table.columnIndex($0)] }
        var attributes: [Attribute] = []
        for (j, name) in table.header.enumerated() {
            let (type, reason, looksLikeId) = inferColumn(table.column(j))
            var a = Attribute(attributeName: name, attributeType: type, reason: reason)
            if name == targetName && type != .binary {
                // The target of a binary model must have exactly two values.
                let distinct = Set(table.column(j).filter { !Missing.isMissing($0) })
                guard distinct.count == 2 else {
                    throw TabularError("\(table.source): target column '\(name)' has \(distinct.count) distinct values (\(distinct.sorted().prefix(5).joined(separator: ", "))\(distinct.count > 5 ? ", ..." : "")); a binary model needs exactly two, such as 0/1")
                }
                a.attributeType = .binary
                a.reason = "target with two values \(distinct.sorted().joined(separator: "/"))"
            }
            if looksLikeId && name != targetName && rowIdName == nil && !excluded.contains(name) {
                excluded.append(name)
                a.reason = (a.reason ?? "") + "; every value a distinct integer: looks like a row ID, excluded"
            }
            attributes.append(a)
        }
        return Schema(targetAttributeName: targetName, rowId: rowIdName, attributes: attributes,
                      excludedAttributeNames: excluded)
    }

    /// Type, reason, and whether the column looks like a row identifier.
    static func inferColumn(_ raw: [String]) -> (AttributeType, String, Bool) {
        let values = raw.filter { !Missing.isMissing($0) }.map { $0.trimmingCharacters(in: .whitespaces) }
        if values.isEmpty { return (.categorical, "no values present (all missing)", false) }
        let distinct = Set(values)
        if distinct.count <= 2 && distinct.allSatisfy({ BinaryValues.value($0) != nil })
            && Set(distinct.compactMap(BinaryValues.value)).count == distinct.count {
            return (.binary, "values \(distinct.sorted().joined(separator: "/")) read as 0/1", false)
        }
        let numbers = values.compactMap(Missing.number)
        if numbers.count == values.count {
            let integers = numbers.allSatisfy { $0 == $0.rounded() }
            let isId = integers && distinct.count == values.count && values.count >= 20 && values.count == raw.count
            return (.numeric, "all \(values.count) present values are numbers (\(distinct.count) distinct)", isId)
        }
        let nonNumeric = values.first { Missing.number($0) == nil } ?? ""
        let ratio = Double(distinct.count) / Double(values.count)
        if distinct.count <= maxCategoricalLevels || ratio <= maxCategoricalRatio {
            return (.categorical, "text such as '\(nonNumeric)' with \(distinct.count) distinct values", false)
        }
        return (.text, "text such as '\(nonNumeric)' with \(distinct.count) distinct values in \(values.count) rows (too many for categories)", false)
    }
}
