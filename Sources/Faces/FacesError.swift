/// A problem with the face models (missing, malformed or mismatched files), naming the file.
public struct FacesError: Error, CustomStringConvertible, Equatable, Sendable {
    public let file: String
    public let reason: String
    public init(file: String, reason: String) { self.file = file; self.reason = reason }
    public var description: String { file.isEmpty ? reason : "\(file): \(reason)" }
}
