import Foundation

/// Where and how a file that is not valid JSON goes wrong, in words: JSONDecoder on Linux
/// only says "not valid JSON", while Foundation's JSON parser names the problem and the
/// character; the character is turned into a line and column here.
enum JSONSyntaxProblem {
    /// "unexpected end of file", "invalid value at line 3, column 12"; nil when the parser
    /// accepts the bytes or says nothing.
    static func describe(_ data: Data) -> String? {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return nil
        } catch let error as NSError {
            guard var text = error.userInfo[NSDebugDescriptionErrorKey] as? String, !text.isEmpty else { return nil }
            text = text.replacingOccurrences(of: " during JSON parse", with: "")
            if text.hasSuffix(".") { text.removeLast() }
            if let range = text.range(of: #"around character \d+"#, options: .regularExpression),
               let offset = Int(text[range].split(separator: " ").last ?? "") {
                let (line, column) = position(of: offset, in: data)
                text.replaceSubrange(range, with: "at line \(line), column \(column)")
            }
            return text.prefix(1).lowercased() + text.dropFirst()
        }
    }

    /// The 1-based line and column of a byte offset (columns count bytes).
    static func position(of offset: Int, in data: Data) -> (line: Int, column: Int) {
        var line = 1, column = 1
        for byte in data.prefix(max(0, offset)) {
            if byte == UInt8(ascii: "\n") { line += 1; column = 1 } else { column += 1 }
        }
        return (line, column)
    }
}
