// Tabular: CSV datasources with inferred schemas, recipes, logistic regression and
// gradient-boosted trees, evaluation (Amazon Machine Learning style). Foundation only.
import Foundation

/// Every failure the Tabular layer reports: each message names the file, row, column or field.
public struct TabularError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
