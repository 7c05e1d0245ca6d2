import ArgumentParser
import Foundation
import Tabular

/// `inspect tabular schema FILE`: the inferred schema, column statistics and leakage warnings.
struct TabularSchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema", abstract: "Infer a CSV file's schema and show column statistics and leakage warnings.")
    @Argument(help: "CSV file.") var file: String
    @Option(help: "Target column (enables target correlation and leakage checks).") var target: String?
    @Option(help: "Row-ID column.") var rowId: String?
    @Option(parsing: .upToNextOption, help: "Columns to leave out.") var exclude: [String] = []
    @Option(help: "Write the schema JSON here, to edit and pass back with --schema.") var output: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let table = try CSVReader.read(path: file)
        let schema = try SchemaInference.infer(table, target: target, rowId: rowId, exclude: columnNames(exclude))
        if let output {
            do { try schema.jsonData().write(to: URL(fileURLWithPath: output)) }
            catch { throw TabularError("\(output): cannot write the schema (\(error.localizedDescription))") }
        }
        var stats: [ColumnStatistics] = [], leaks: [LeakageWarning] = []
        if target != nil {
            let ds = try Datasource(table: table, schema: schema)
            stats = try Statistics.compute(ds)
            leaks = try LeakageGuard.check(ds, columns: ds.candidateFeatures)
        }
        if json {
            struct Out: Encodable { var schema: Schema; var statistics: [ColumnStatistics]; var leakage: [LeakageWarning] }
            try printJSON(Out(schema: schema, statistics: stats, leakage: leaks))
            return
        }
        print("\(file): \(table.rows.count) rows, \(table.header.count) columns")
        let w = max(8, table.header.map(\.count).max() ?? 8) + 2
        print(padded("column", w) + padded("type", 13) + padded("missing", 9) + padded("distinct", 9) + padded("range", 20) + padded("corr", 8) + "reason")
        for a in schema.attributes {
            let s = stats.first { $0.name == a.attributeName }
            var role = ""
            if a.attributeName == schema.targetAttributeName { role = " (target)" }
            else if a.attributeName == schema.rowId { role = " (row ID)" }
            else if schema.excludedAttributeNames.contains(a.attributeName) { role = " (excluded)" }
            let range = s?.min.map { "\(formatDecimal($0, 2))..\(formatDecimal(s?.max, 2))" } ?? ""
            print(padded(a.attributeName, w) + padded(a.attributeType.rawValue, 13)
                  + padded(s.map { formatDecimal($0.missingPercent, 1) + "%" } ?? "", 9) + padded(s.map { "\($0.distinct)" } ?? "", 9)
                  + padded(range, 20) + padded(s?.targetCorrelation.map { formatDecimal($0) } ?? "", 8) + (a.reason ?? "") + role)
        }
        for l in leaks { print("LEAKAGE WARNING: '\(l.column)': \(l.reason); left out of training unless --allow-leaky") }
        if let output { print("schema written to \(output)") }
    }
}
