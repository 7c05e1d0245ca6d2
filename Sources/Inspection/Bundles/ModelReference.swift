/// What `--model` (or a server route) names: a model of the store, optionally one version of
/// it (`NAME@N`), or a path to a bundle or model folder (`path/to/NAME`, `path/to/NAME@N`).
public struct ModelReference: Sendable, Equatable, CustomStringConvertible {
    /// The name or path before any `@N`.
    public var base: String
    /// The version after `@`, when one was given.
    public var version: Int?

    public init(base: String, version: Int? = nil) {
        self.base = base
        self.version = version
    }

    /// Splits `X@N`; an `@` followed by anything but a version number (1 or more, no leading
    /// zero) is an error naming the reference.
    public init(parsing text: String) throws(InspectionError) {
        guard let at = text.lastIndex(of: "@") else {
            self.init(base: text)
            return
        }
        let suffix = text[text.index(after: at)...]
        guard let number = ModelVersionNumber.parse(suffix) else {
            throw InspectionError(text, "expected NAME or NAME@VERSION with VERSION a number from 1 (like demo@2)")
        }
        self.init(base: String(text[..<at]), version: number)
    }

    public var description: String { version.map { "\(base)@\($0)" } ?? base }
}

/// Version numbers as they are written: `3` in `demo@3` and the folder `v3`.
public enum ModelVersionNumber {
    /// A number from 1, digits only, without a leading zero (so each version has one spelling).
    public static func parse(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 9, text.first != "0", text.allSatisfy({ ("0"..."9").contains($0) }) else { return nil }
        return Int(text)
    }

    /// The version of a folder named `vN`, nil for any other name.
    public static func ofFolder(_ folderName: String) -> Int? {
        guard folderName.hasPrefix("v") else { return nil }
        return parse(folderName.dropFirst())
    }

    public static func folderName(_ number: Int) -> String { "v\(number)" }
}
