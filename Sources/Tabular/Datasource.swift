import Foundation

/// A CSV table with its schema and the binary target read as 0/1 (Amazon ML "datasource").
public struct Datasource: Sendable {
    public let table: CSVTable
    public let schema: Schema
    /// Target per row (1 positive, 0 negative); rows whose target is missing are dropped.
    public let labels: [Int]
    /// Rows kept (indices into `table.rows`), in order.
    public let rowIndices: [Int]
    public let positiveLabel: String
    public let negativeLabel: String
    public let droppedRows: Int

    public init(table: CSVTable, schema: Schema) throws {
        try schema.check(against: table)
        guard let target = schema.targetAttributeName else {
            throw TabularError("\(table.source): no target column given (use --target COLUMN)")
        }
        let t = try table.columnIndex(target)
        let present = table.column(t).filter { !Missing.isMissing($0) }.map { $0.trimmingCharacters(in: .whitespaces) }
        let distinct = Set(present).sorted()
        guard distinct.count == 2 else {
            throw TabularError("\(table.source): target column '\(target)' has \(distinct.count) distinct values; a binary model needs exactly two")
        }
        // The positive class is the value Amazon ML reads as 1 (1, true, yes ...), else the later one in sort order.
        let pos = distinct.first { BinaryValues.value($0) == 1 } ?? distinct[1]
        let neg = distinct.first { $0 != pos } ?? distinct[0]
        var labels: [Int] = [], rows: [Int] = []
        for (i, r) in table.rows.enumerated() {
            let v = r[t].trimmingCharacters(in: .whitespaces)
            if Missing.isMissing(v) { continue }
            labels.append(v == pos ? 1 : 0)
            rows.append(i)
        }
        self.table = table
        self.schema = schema
        self.labels = labels
        self.rowIndices = rows
        self.positiveLabel = pos
        self.negativeLabel = neg
        self.droppedRows = table.rows.count - rows.count
    }

    /// Loads a CSV and infers (or reads) its schema.
    public static func load(path: String, target: String, schemaPath: String? = nil, rowId: String? = nil,
                            exclude: [String] = []) throws -> Datasource {
        let table = try CSVReader.read(path: path)
        var schema: Schema
        if let schemaPath {
            schema = try Schema.load(path: schemaPath)
            schema.targetAttributeName = table.header[try table.columnIndex(target)]
            if let rowId { schema.rowId = table.header[try table.columnIndex(rowId)] }
            schema.excludedAttributeNames += try exclude.map { table.header[try table.columnIndex($0)] }
        } else {
            schema = try SchemaInference.infer(table, target: target, rowId: rowId, exclude: exclude)
        }
        return try Datasource(table: table, schema: schema)
    }

    /// Raw values of one column for the kept rows.
    public func values(_ column: String) throws -> [String] {
        let j = try table.columnIndex(column)
        return rowIndices.map { table.rows[$0][j] }
    }

    /// Columns usable as features: not the target, row ID, or excluded.
    public var candidateFeatures: [String] {
        schema.attributes.map(\.attributeName).filter {
            $0 != schema.targetAttributeName && $0 != schema.rowId && !schema.excludedAttributeNames.contains($0)
        }
    }

    /// Resolves user-given feature names (any case) to the file's names, naming any unknown one.
    public func resolveFeatures(_ names: [String]) throws -> [String] {
        try names.map { name in
            let real = table.header[try table.columnIndex(name)]
            if real == schema.targetAttributeName {
                throw TabularError("\(table.source): '\(real)' is the target; it cannot also be a feature")
            }
            return real
        }
    }
}
