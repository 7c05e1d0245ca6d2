/// A training or test image that could not be read and was left out, with the reason.
public struct SkippedImage: Codable, Sendable, Equatable {
    public var file: String
    public var reason: String

    public init(file: String, reason: String) {
        self.file = file
        self.reason = reason
    }
}

extension InspectionError {
    /// Every unreadable image of a training run in one error, so one run lists them all.
    static func unreadableImages(_ errors: [InspectionError], of total: Int) -> InspectionError {
        let list = errors.map { "  \($0.description)" }.joined(separator: "\n")
        return InspectionError("", "\(errors.count) of \(total) images cannot be read:\n\(list)\n"
                               + "Fix or remove them, or pass --skip-unreadable to train on the rest.")
    }
}
