import Foundation
import Server
import Testing

struct MultipartParserTests {
    static func body(_ boundary: String, _ parts: [(headers: String, content: [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        for p in parts { out += Array("--\(boundary)\r\n\(p.headers)\r\n\r\n".utf8) + p.content + Array("\r\n".utf8) }
        return out + Array("--\(boundary)--\r\n".utf8)
    }

    @Test func parsesFieldsAndBinaryFiles() throws {
        let binary: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 13, 10, 0x2D, 0x2D, 0, 255, 13, 10]  // CRLF and "--" inside
        let b = "----inspectBoundary42"
        let bytes = Self.body(b, [
            ("Content-Disposition: form-data; name=\"pclass\"", Array("1".utf8)),
            ("Content-Disposition: form-data; name=\"photo\"; filename=\"me.png\"\r\nContent-Type: image/png", binary),
            ("content-disposition: form-data; name=embarked", Array("C".utf8)),
            ("Content-Disposition: form-data; name=\"empty\"", []),
        ])
        let parts = try MultipartParser.parse(bytes, boundary: b)
        #expect(parts.map(\.name) == ["pclass", "photo", "embarked", "empty"])
        #expect(parts[0].text == "1")
        #expect(parts[1].filename == "me.png")
        #expect(parts[1].contentType == "image/png")
        #expect(parts[1].body == binary)
        #expect(parts[2].text == "C")
        #expect(parts[3].body.isEmpty)
    }

    @Test func readsTheBoundaryFromTheContentType() throws {
        #expect(try MultipartParser.boundary(contentType: "multipart/form-data; boundary=abc") == "abc")
        #expect(try MultipartParser.boundary(contentType: "Multipart/Form-Data; charset=utf-8; boundary=\"a b\"") == "a b")
        #expect(throws: MultipartError.self) { try MultipartParser.boundary(contentType: "multipart/form-data") }
        #expect(throws: MultipartError.self) { try MultipartParser.boundary(contentType: "application/json; boundary=x") }
    }

    @Test func rejectsTruncatedAndMalformedBodies() throws {
        let b = "XyZ"
        let whole = Self.body(b, [("Content-Disposition: form-data; name=\"a\"", Array("1".utf8))])
        #expect(try MultipartParser.parse(whole, boundary: b).count == 1)
        // Cut before the closing delimiter.
        #expect(throws: MultipartError.self) { try MultipartParser.parse(Array(whole.prefix(whole.count - 9)), boundary: b) }
        // Another boundary.
        #expect(throws: MultipartError.self) { try MultipartParser.parse(whole, boundary: "other") }
        // A part without a name.
        let nameless = Self.body(b, [("Content-Type: text/plain", Array("1".utf8))])
        #expect(throws: MultipartError.self) { try MultipartParser.parse(nameless, boundary: b) }
        // A part without the blank line after its headers.
        let noBlank = Array("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n--XyZ--\r\n".utf8)
        #expect(throws: MultipartError.self) { try MultipartParser.parse(noBlank, boundary: b) }
    }
}
