import ArgumentParser
import Tabular

/// Options naming the data: which column is the target, which to leave out, the schema.
struct TabularDataOptions: ParsableArguments {
    @Option(help: "Target column (binary, e.g. 0/1).") var target: String
    @Option(name: .customLong("schema"), help: "Schema JSON to use instead of inferring one (see `inspect tabular schema --output`).")
    var schemaPath: String?
    @Option(help: "Row-ID column: carried to predictions, never a feature.") var rowId: String?
    @Option(parsing: .upToNextOption, help: "Columns to leave out (space or comma separated).") var exclude: [String] = []

    func load(_ file: String) throws -> Datasource {
        try Datasource.load(path: file, target: target, schemaPath: schemaPath, rowId: rowId, exclude: columnNames(exclude))
    }
}
