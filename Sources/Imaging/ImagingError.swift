/// A failure to read, decode or encode an image, carrying the file (or source) it concerns
/// and a reason a person can act on: "photo.jpg: truncated JPEG after 12 kB".
public struct ImagingError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case unreadable         // the file cannot be read at all
        case notAnImage         // the bytes are not an image format
        case unsupportedFormat  // an image format we do not decode (GIF, WebP, ...)
        case truncated
        case corrupt
        case tooLarge           // over the pixel or file size limit
        case unsupportedSize    // decodes, but outside the sizes inspection accepts
        case encodeFailed
    }

    public let source: String
    public let kind: Kind
    public let reason: String

    public init(source: String, kind: Kind, reason: String) {
        self.source = source
        self.kind = kind
        self.reason = reason
    }

    public var description: String { source.isEmpty ? reason : "\(source): \(reason)" }
}

/// "12 kB", "3.4 MB", "812 bytes": sizes in error messages and reports.
public func formatByteCount(_ bytes: Int) -> String {
    if bytes < 1000 { return "\(bytes) bytes" }
    if bytes < 1_000_000 { return "\(bytes / 1000) kB" }
    let megabytes = Double(bytes) / 1_000_000
    return megabytes < 100 ? "\(Double(Int(megabytes * 10)) / 10) MB" : "\(Int(megabytes)) MB"
}

/// "64 MP", "0.3 MP": pixel counts in megapixels.
public func formatMegapixels(_ pixels: Int) -> String {
    let mp = Double(pixels) / 1_000_000
    if mp >= 10 || mp == mp.rounded() { return "\(Int(mp.rounded())) MP" }
    return "\(Double(Int(mp * 10)) / 10) MP"
}
