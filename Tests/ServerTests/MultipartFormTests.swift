import Foundation
import Server
import Testing

struct MultipartFormTests {
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
        let parts = try MultipartForm.parse(bytes, boundary: b)
        #expect(parts.map(\.name) == ["pclass", "photo", "embarked", "empty"])
        #expect(parts[0].text == "1")
        #expect(parts[1].filename == "me.png")
        #expect(parts[1].contentType == "image/png")
        #expect(parts[1].body == binary)
        #expect(parts[2].text == "C")
        #expect(parts[3].body.isEmpty)
    }

    @Test func readsTheBoundaryFromTheContentType() throws {
        #expect(try MultipartForm.boundary(contentType: "multipart/form-data; boundary=abc") == "abc")
        #expect(try MultipartForm.boundary(contentType: "Multipart/Form-Data; charset=utf-8; boundary=\"a b\"") == "a b")
        #expect(throws: MultipartFormError.self) { try MultipartForm.boundary(contentType: "multipart/form-data") }
        #expect(throws: MultipartFormError.self) { try MultipartForm.boundary(contentType: "application/json; boundary=x") }
    }

    @Test func rejectsTruncatedAndMalformedBodies() throws {
        let b = "XyZ"
        let whole = Self.body(b, [("Content-Disposition: form-data; name=\"a\"", Array("1".utf8))])
        #expect(try MultipartForm.parse(whole, boundary: b).count == 1)
        // Cut before the closing delimiter.
        #expect(throws: MultipartFormError.self) { try MultipartForm.parse(Array(whole.prefix(whole.count - 9)), boundary: b) }
        // Another boundary.
        #expect(throws: MultipartFormError.self) { try MultipartForm.parse(whole, boundary: "other") }
        // A part without a name.
        let nameless = Self.body(b, [("Content-Type: text/plain", Array("1".utf8))])
        #expect(throws: MultipartFormError.self) { try MultipartForm.parse(nameless, boundary: b) }
        // A part without the blank line after its headers.
        let noBlank = Array("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n--XyZ--\r\n".utf8)
        #expect(throws: MultipartFormError.self) { try MultipartForm.parse(noBlank, boundary: b) }
    }

    @Test func keepsOurMessagesOverMultipartKit() throws {
        let b = "XyZ"
        // Content holding near-delimiters: CR LF "--XyQ" and a lone CR before the real one.
        let tricky: [UInt8] = Array("a\r\n--XyQ\r\r\n--Xy".utf8) + [0, 13]
        let whole = Self.body(b, [("Content-Disposition: form-data; name=\"f\"; filename=\"x.bin\"", tricky)])
        let parts = try MultipartForm.parse(whole, boundary: b)
        #expect(parts.count == 1 && parts[0].body == tricky && parts[0].filename == "x.bin")
        func message(_ body: [UInt8], _ boundary: String = "XyZ") -> String {
            do { _ = try MultipartForm.parse(body, boundary: boundary); return "" } catch { return error.description }
        }
        #expect(message(Array(whole.prefix(whole.count - 9))).contains("is not closed by '--XyZ'"))
        #expect(message(whole, "other") == "multipart body has no '--other' delimiter")
        #expect(message(Self.body(b, [("Content-Type: text/plain", [49])])) == "multipart part 1 has no Content-Disposition name")
        #expect(message(Array("--XyZ\r\nbroken header line\r\n\r\n1\r\n--XyZ--\r\n".utf8)).contains("multipart part 1 is malformed"))
        #expect(message(whole, String(repeating: "b", count: 71)).contains("1 to 70 characters"))
        // Found by tools/fuzz/fuzz-uploads.py: a header name byte of 128 or more made
        // multipart-kit trap. A UTF-8 file name in a header value is fine.
        let nonASCIIName: [UInt8] = Array("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\nX-".utf8) + [0xC3, 0xA9]
            + Array(": 1\r\n\r\n1\r\n--XyZ--\r\n".utf8)
        #expect(message(nonASCIIName) == "multipart part 1 has a header name with a byte that is not ASCII")
        let utf8Filename = Self.body(b, [("Content-Disposition: form-data; name=\"photo\"; filename=\"caf\u{e9}.png\"", [1, 2])])
        #expect(try MultipartForm.parse(utf8Filename, boundary: b).first?.filename == "caf\u{e9}.png")
    }
}
