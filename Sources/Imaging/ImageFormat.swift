/// Image formats recognised by their first bytes, never by the file name.
public enum ImageFormat: String, Sendable, Equatable {
    case png = "PNG"
    case jpeg = "JPEG"

    /// What the first bytes of a file say it is.
    public enum Sniffed: Sendable, Equatable {
        case decodable(ImageFormat)
        /// A known image format this program does not decode (GIF, WebP, ...).
        case unsupportedImage(String)
        case notAnImage
        case empty
    }

    public static func sniff<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Sniffed {
        let head = Array(bytes.prefix(16))
        if head.isEmpty { return .empty }
        func starts(_ magic: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + magic.count && Array(head[offset..<offset + magic.count]) == magic
        }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .decodable(.png) }
        if starts([0xFF, 0xD8, 0xFF]) { return .decodable(.jpeg) }
        if starts(Array("GIF8".utf8)) { return .unsupportedImage("GIF") }
        if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { return .unsupportedImage("WebP") }
        if starts(Array("BM".utf8)) { return .unsupportedImage("BMP") }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return .unsupportedImage("TIFF") }
        if starts(Array("ftyp".utf8), at: 4) {
            let brand = String(decoding: head.count >= 12 ? head[8..<12] : [], as: UTF8.self)
            if ["heic", "heix", "hevc", "mif1", "msf1"].contains(brand) { return .unsupportedImage("HEIC") }
            if brand == "avif" { return .unsupportedImage("AVIF") }
        }
        if starts([0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20]) { return .unsupportedImage("JPEG 2000") }
        if starts([0xFF, 0x0A]) { return .unsupportedImage("JPEG XL") }
        return .notAnImage
    }

    /// How the start of a non-image file looks, for messages: "starts with '%PDF'".
    static func describeStart<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        let head = Array(bytes.prefix(4))
        let printable = head.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        if printable { return "starts with '\(String(decoding: head, as: UTF8.self))'" }
        return "starts with bytes " + head.map { byte in
            let hex = String(byte, radix: 16, uppercase: true)
            return hex.count == 1 ? "0" + hex : hex
        }.joined(separator: " ")
    }
}
