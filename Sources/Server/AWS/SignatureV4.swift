import Crypto
import Foundation

/// AWS Signature Version 4 ("Create a signed AWS API request", AWS IAM User Guide): the
/// canonical request, the string to sign, the derived signing key and the signature. Pure
/// functions, so the known-answer tests can pin each step to botocore's signer.
enum SignatureV4 {
    static let algorithm = "AWS4-HMAC-SHA256"
    static let terminator = "aws4_request"

    /// The parts of `Authorization: AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/SERVICE/aws4_request,
    /// SignedHeaders=a;b, Signature=HEX`.
    struct Authorization: Sendable, Equatable {
        var accessKeyID: String
        var date: String
        var region: String
        var service: String
        var signedHeaders: [String]
        var signature: String

        var scope: String { "\(date)/\(region)/\(service)/\(SignatureV4.terminator)" }
    }

    /// Why an Authorization header is not a SigV4 header; the message is what AWS says.
    struct MalformedAuthorization: Error, Sendable {
        var message: String
    }

    static func parseAuthorization(_ header: String) throws(MalformedAuthorization) -> Authorization {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix(algorithm + " ") else {
            throw MalformedAuthorization(message: "Authorization header requires the \(algorithm) algorithm")
        }
        var parts: [String: String] = [:]
        for item in trimmed.dropFirst(algorithm.count + 1).split(separator: ",") {
            let pair = item.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else {
                throw MalformedAuthorization(message: "Authorization header requires each component as name=value; got '\(item.trimmingCharacters(in: .whitespaces))'")
            }
            parts[String(pair[0])] = String(pair[1])
        }
        for name in ["Credential", "SignedHeaders", "Signature"] where parts[name] == nil {
            throw MalformedAuthorization(message: "Authorization header requires '\(name)' parameter")
        }
        let credential = (parts["Credential"] ?? "").split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard credential.count == 5, credential[4] == terminator, credential[1].count == 8, credential.allSatisfy({ !$0.isEmpty }) else {
            throw MalformedAuthorization(message: "Credential should be of the form ACCESS_KEY_ID/YYYYMMDD/REGION/SERVICE/aws4_request; got '\(parts["Credential"] ?? "")'")
        }
        let signed = (parts["SignedHeaders"] ?? "").split(separator: ";").map { $0.lowercased() }
        let signature = parts["Signature"] ?? ""
        guard signature.count == 64, signature.allSatisfy(\.isHexDigit) else {
            throw MalformedAuthorization(message: "Signature should be 64 hexadecimal digits")
        }
        return Authorization(accessKeyID: credential[0], date: credential[1], region: credential[2], service: credential[3],
                             signedHeaders: signed, signature: signature.lowercased())
    }

    /// The canonical request: method, canonical URI, canonical query, canonical headers,
    /// signed header names and the payload's SHA-256, one per line.
    /// `path` and `query` are as received (still percent-encoded); `headers` holds every value
    /// of each signed header, in the order received.
    static func canonicalRequest(method: String, path: String, query: String?, headers: [String: [String]],
                                 signedHeaders: [String], payloadHash: String) -> String {
        let canonicalHeaders = signedHeaders.map { name in
            name + ":" + (headers[name] ?? []).map(trimAll).joined(separator: ",") + "\n"
        }.joined()
        return [method.uppercased(), canonicalURI(path), canonicalQuery(query), canonicalHeaders,
                signedHeaders.joined(separator: ";"), payloadHash].joined(separator: "\n")
    }

    /// Services other than S3 encode each path segment twice: the path as sent (encoded once by
    /// the client) is URI-encoded again, keeping the slashes. An empty path is "/".
    static func canonicalURI(_ rawPath: String) -> String {
        rawPath.isEmpty ? "/" : uriEncode(rawPath, keepSlash: true)
    }

    /// Query parameters sorted by encoded name, then value; each name and value URI-encoded
    /// (decoded first, so a client's own encoding does not count twice).
    static func canonicalQuery(_ raw: String?) -> String {
        guard let raw, !raw.isEmpty else { return "" }
        let pairs = raw.split(separator: "&", omittingEmptySubsequences: true).map { item -> (String, String) in
            let kv = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func encode(_ s: Substring?) -> String {
                let text = String(s ?? "")
                return uriEncode(text.removingPercentEncoding ?? text, keepSlash: false)
            }
            return (encode(kv.first), encode(kv.count > 1 ? kv[1] : nil))
        }
        return pairs.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    static func stringToSign(amzDate: String, scope: String, canonicalRequest: String) -> String {
        [algorithm, amzDate, scope, sha256Hex(Array(canonicalRequest.utf8))].joined(separator: "\n")
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
    static func signingKey(secret: String, date: String, region: String, service: String) -> SymmetricKey {
        var key = SymmetricKey(data: Array(("AWS4" + secret).utf8))
        for part in [date, region, service, terminator] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return key
    }

    static func signature(stringToSign: String, key: SymmetricKey) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
    }

    static func sha256Hex<D: DataProtocol>(_ bytes: D) -> String { hex(SHA256.hash(data: bytes)) }

    static func hex<S: Sequence<UInt8>>(_ bytes: S) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// SigV4's UriEncode: every byte but A-Z, a-z, 0-9, '-', '_', '.', '~' (and '/' when kept)
    /// as %XY with upper-case hex.
    static func uriEncode(_ text: String, keepSlash: Bool) -> String {
        let upper = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(byte)
            case UInt8(ascii: "/") where keepSlash:
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), upper[Int(byte >> 4)], upper[Int(byte & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Trimall: no leading or trailing spaces, inner runs of spaces as one.
    static func trimAll(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    /// Equal strings, compared in time independent of where they differ.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in x.indices { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}
