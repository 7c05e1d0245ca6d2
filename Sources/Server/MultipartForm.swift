import Foundation
import MultipartKit
import NIOCore

/// One part of a multipart/form-data body (RFC 7578).
public struct FormPart: Sendable, Equatable {
    public var name: String
    public var filename: String?
    public var contentType: String?
    public var body: [UInt8]

    public var text: String { String(decoding: body, as: UTF8.self) }
}

public struct MultipartFormError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// multipart/form-data bodies read with vapor/multipart-kit's streaming parser; this adds what
/// the service needs on top: the boundary from the content type, a closed body, a name on
/// every part, and errors that say which part is wrong and how.
public enum MultipartForm {
    /// RFC 2046: a boundary is 1 to 70 characters.
    static let maximumBoundaryLength = 70

    /// The boundary parameter of a `multipart/form-data; boundary=...` content type.
    public static func boundary(contentType: String) throws(MultipartFormError) -> String {
        let pieces = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard pieces.first?.lowercased() == "multipart/form-data" else {
            throw MultipartFormError(description: "content type '\(contentType)' is not multipart/form-data")
        }
        for piece in pieces.dropFirst() {
            let kv = piece.split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 2, kv[0].lowercased() == "boundary" {
                let value = unquote(kv[1])
                guard !value.isEmpty, value.count <= maximumBoundaryLength else {
                    throw MultipartFormError(description: "multipart boundary must be 1 to \(maximumBoundaryLength) characters")
                }
                return value
            }
        }
        throw MultipartFormError(description: "multipart/form-data without a boundary parameter")
    }

    /// The parts of a whole body, in order.
    public static func parse(_ body: [UInt8], boundary: String) throws(MultipartFormError) -> [FormPart] {
        guard !boundary.isEmpty, boundary.count <= maximumBoundaryLength else {
            throw MultipartFormError(description: "multipart boundary must be 1 to \(maximumBoundaryLength) characters")
        }
        let delimiter = Array("--\(boundary)".utf8)
        guard contains(delimiter, in: body) else {
            throw MultipartFormError(description: "multipart body has no '--\(boundary)' delimiter")
        }
        if let part = partWithNonASCIIHeaderName(body, delimiter: delimiter) {
            throw MultipartFormError(description: "multipart part \(part) has a header name with a byte that is not ASCII")
        }
        let collector = PartCollector()
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in collector.header(name, value) }
        parser.onBody = { buffer in collector.body(&buffer) }
        parser.onPartComplete = { collector.complete() }
        do { try parser.execute(body) } catch {
            throw MultipartFormError(description: "multipart part \(collector.parts.count + 1) is malformed (its headers must end with a blank line, and it must be followed by '--\(boundary)')")
        }
        // multipart-kit stops quietly at the end of the bytes: a body cut short ends without
        // its closing delimiter, and then the part being read is incomplete.
        let closing = [13, 10] + delimiter + [45, 45]
        guard body.starts(with: delimiter + [45, 45]) || contains(closing, in: body) else {
            throw MultipartFormError(description: "multipart part \(collector.parts.count + 1) is not closed by '--\(boundary)' (no closing '--\(boundary)--')")
        }
        return try collector.parts.enumerated().map { index, headers throws(MultipartFormError) in
            try part(headers.fields, body: headers.body, index: index + 1)
        }
    }

    /// A part's Content-Disposition name and filename and its Content-Type.
    private static func part(_ fields: [(String, String)], body: [UInt8], index: Int) throws(MultipartFormError) -> FormPart {
        var name: String?, filename: String?, contentType: String?
        for (field, value) in fields {
            switch field.lowercased() {
            case "content-type": contentType = value.trimmingCharacters(in: .whitespaces).lowercased()
            case "content-disposition":
                for parameter in value.split(separator: ";").dropFirst() {
                    let kv = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    guard kv.count == 2 else { continue }
                    if kv[0].lowercased() == "name" { name = unquote(kv[1]) }
                    if kv[0].lowercased() == "filename" { filename = unquote(kv[1]) }
                }
            default: continue
            }
        }
        guard let name else { throw MultipartFormError(description: "multipart part \(index) has no Content-Disposition name") }
        return FormPart(name: name, filename: filename, contentType: contentType, body: body)
    }

    private static func unquote(_ s: String) -> String {
        s.count >= 2 && s.hasPrefix("\"") && s.hasSuffix("\"") ? String(s.dropFirst().dropLast()) : s
    }

    /// The 1-based index of the first part whose header lines hold a byte of 128 or more
    /// where a header name stands (before the colon), or nil. multipart-kit 4.7.1 looks such a
    /// byte up in a 128-entry table and traps, so these bodies must not reach it. Every
    /// `--boundary` is taken as the start of a header block (a superset of those multipart-kit
    /// reads), up to the blank line that ends it.
    static func partWithNonASCIIHeaderName(_ body: [UInt8], delimiter: [UInt8]) -> Int? {
        var part = 0
        var search = 0
        while let start = firstIndex(of: delimiter, in: body, from: search) {
            part += 1
            search = start + 1
            var i = start + delimiter.count
            if i + 1 < body.count, body[i] == 13, body[i + 1] == 10 { i += 2 }
            var inName = true
            var previous: UInt8 = 0
            while i < body.count {
                let byte = body[i]
                if byte == 10 && previous == 13 {
                    // A CRLF right after another ends the headers.
                    if i >= 3, body[i - 3] == 13, body[i - 2] == 10 { break }
                    inName = true
                } else if byte == 58 {
                    inName = false
                } else if inName && byte >= 128 {
                    return part
                }
                previous = byte
                i += 1
            }
        }
        return nil
    }

    /// The first index of `needle` in `haystack` at or after `from`.
    static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count, from >= 0 else { return nil }
        var i = from
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first, haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    /// Whether `needle` occurs in `haystack`.
    static func contains(_ needle: [UInt8], in haystack: [UInt8]) -> Bool {
        firstIndex(of: needle, in: haystack, from: 0) != nil
    }
}

/// The parts as multipart-kit's callbacks deliver them: headers, then body pieces, then the end.
private final class PartCollector {
    struct Part {
        var fields: [(String, String)] = []
        var body: [UInt8] = []
    }
    private(set) var parts: [Part] = []
    private var current: Part?

    func header(_ name: String, _ value: String) { current = current ?? Part(); current?.fields.append((name, value)) }

    func body(_ buffer: inout ByteBuffer) {
        current = current ?? Part()
        current?.body += buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    func complete() {
        parts.append(current ?? Part())
        current = nil
    }
}
