import Foundation

/// One part of a multipart/form-data body (RFC 7578).
public struct MultipartPart: Sendable, Equatable {
    public var name: String
    public var filename: String?
    public var contentType: String?
    public var body: [UInt8]

    public var text: String { String(decoding: body, as: UTF8.self) }
}

public struct MultipartError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// A small multipart/form-data parser: the parts between `--boundary` delimiter lines, each
/// with its headers (Content-Disposition name and filename, Content-Type) and its raw bytes.
public enum MultipartParser {
    /// The boundary parameter of a `multipart/form-data; boundary=...` content type.
    public static func boundary(contentType: String) throws(MultipartError) -> String {
        let pieces = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard pieces.first?.lowercased() == "multipart/form-data" else {
            throw MultipartError(description: "content type '\(contentType)' is not multipart/form-data")
        }
        for piece in pieces.dropFirst() {
            let kv = piece.split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 2, kv[0].lowercased() == "boundary" {
                let value = unquote(kv[1])
                guard !value.isEmpty, value.count <= 70 else { throw MultipartError(description: "multipart boundary must be 1 to 70 characters") }
                return value
            }
        }
        throw MultipartError(description: "multipart/form-data without a boundary parameter")
    }

    public static func parse(_ body: [UInt8], boundary: String) throws(MultipartError) -> [MultipartPart] {
        let delimiter = Array("--\(boundary)".utf8)
        let crlf: [UInt8] = [13, 10]
        // The first delimiter may start the body; every later one follows a CRLF.
        guard var position = find(delimiter, in: body, from: 0) else {
            throw MultipartError(description: "multipart body has no '--\(boundary)' delimiter")
        }
        var parts: [MultipartPart] = []
        let next = crlf + delimiter
        while true {
            position += delimiter.count
            // "--" after a delimiter closes the body.
            if body.count >= position + 2, body[position] == 45, body[position + 1] == 45 { return parts }
            // Skip transport padding to the end of the delimiter line.
            guard let lineEnd = find(crlf, in: body, from: position) else {
                throw MultipartError(description: "multipart body ends inside a delimiter line (no closing '--\(boundary)--')")
            }
            let start = lineEnd + 2
            guard let end = find(next, in: body, from: start) else {
                throw MultipartError(description: "multipart part \(parts.count + 1) is not closed by '--\(boundary)'")
            }
            parts.append(try part(Array(body[start..<end]), index: parts.count + 1))
            position = end + 2
        }
    }

    /// Headers, a blank line, then the content.
    private static func part(_ bytes: [UInt8], index: Int) throws(MultipartError) -> MultipartPart {
        guard let split = find([13, 10, 13, 10], in: bytes, from: 0) ?? (bytes.starts(with: [13, 10]) ? -2 : nil) else {
            throw MultipartError(description: "multipart part \(index) has no blank line after its headers")
        }
        let headerText = split < 0 ? "" : String(decoding: bytes[0..<split], as: UTF8.self)
        var name: String?
        var filename: String?
        var contentType: String?
        for line in headerText.components(separatedBy: "\r\n") where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let field = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if field == "content-type" { contentType = value.lowercased() }
            if field == "content-disposition" {
                for parameter in value.split(separator: ";").dropFirst() {
                    let kv = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    guard kv.count == 2 else { continue }
                    if kv[0].lowercased() == "name" { name = unquote(kv[1]) }
                    if kv[0].lowercased() == "filename" { filename = unquote(kv[1]) }
                }
            }
        }
        guard let name else { throw MultipartError(description: "multipart part \(index) has no Content-Disposition name") }
        return MultipartPart(name: name, filename: filename, contentType: contentType, body: Array(bytes[(split + 4)...]))
    }

    private static func unquote(_ s: String) -> String {
        s.count >= 2 && s.hasPrefix("\"") && s.hasSuffix("\"") ? String(s.dropFirst().dropLast()) : s
    }

    /// First index of `needle` in `haystack` at or after `from` (first-byte scan, then compare).
    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var i = from
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first, haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
