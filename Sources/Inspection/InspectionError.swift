/// A problem with the user's data, files or model bundle: what it concerns and why.
public struct InspectionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file, folder or field concerned (empty when none applies).
    public let source: String
    public let reason: String

    public init(_ source: String, _ reason: String) {
        self.source = source
        self.reason = reason
    }

    public var description: String { source.isEmpty ? reason : "\(source): \(reason)" }
}
