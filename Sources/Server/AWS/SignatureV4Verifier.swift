import Foundation
import HTTPTypes
import Hummingbird

/// Checks the SigV4 signature of a request against the configured access keys. The answers
/// are AWS's own for each failure, all 403: no Authorization header
/// (MissingAuthenticationTokenException), a malformed one (IncompleteSignatureException), an
/// unknown access key (UnrecognizedClientException), a request time more than 5 minutes
/// away from the server's clock or a signature that does not match
/// (InvalidSignatureException). (AWS SigV4 documentation: "Elements of an AWS API request
/// signature", and the 5-minute window of "Signing AWS API requests".)
struct SignatureV4Verifier: Sendable {
    let credentials: AWSCredentials
    let now: @Sendable () -> Date
    static let allowedSkew: TimeInterval = 5 * 60

    /// A request whose Authorization header passed every check that needs no body.
    struct Pending: Sendable {
        let authorization: SignatureV4.Authorization
        let secret: String
        let amzDate: String
        let method: String
        let path: String
        let query: String?
        let headers: [String: [String]]
    }

    /// The checks made before the body is read: a well-formed header, a known key, the right
    /// service in the scope, a time within the window, host and x-amz-date signed.
    func preflight(_ request: Request, signingName: String) throws(AWSError) -> Pending {
        guard let header = request.headers[.authorization] else {
            if request.uri.queryParameters.get("X-Amz-Signature") != nil {
                throw Self.denied("IncompleteSignatureException", "presigned URLs are not accepted here; sign the Authorization header")
            }
            throw Self.denied("MissingAuthenticationTokenException", "Missing Authentication Token")
        }
        let authorization: SignatureV4.Authorization
        do { authorization = try SignatureV4.parseAuthorization(header) } catch {
            throw Self.denied("IncompleteSignatureException", error.message)
        }
        guard let secret = credentials.secrets[authorization.accessKeyID] else {
            throw Self.denied("UnrecognizedClientException", "The security token included in the request is invalid.")
        }
        guard authorization.service == signingName else {
            throw Self.denied("InvalidSignatureException", "Credential should be scoped to correct service: '\(signingName)'.")
        }
        guard let amzDate = request.headers.first(where: { $0.name.canonicalName == "x-amz-date" })?.value else {
            throw Self.denied("IncompleteSignatureException", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header; only X-Amz-Date is accepted here")
        }
        for required in ["host", "x-amz-date"] where !authorization.signedHeaders.contains(required) {
            throw Self.denied("IncompleteSignatureException", "'\(required)' must be a signed header")
        }
        guard let requestTime = Self.parseAmzDate(amzDate), authorization.date == String(amzDate.prefix(8)) else {
            throw Self.denied("IncompleteSignatureException", "X-Amz-Date '\(amzDate)' must be YYYYMMDD'T'HHMMSS'Z' on the credential scope's date \(authorization.date)")
        }
        let serverTime = now()
        if requestTime < serverTime.addingTimeInterval(-Self.allowedSkew) {
            throw Self.denied("InvalidSignatureException", "Signature expired: \(amzDate) is now earlier than \(Self.formatAmzDate(serverTime.addingTimeInterval(-Self.allowedSkew))) (\(Self.formatAmzDate(serverTime)) - 5 min.)")
        }
        if requestTime > serverTime.addingTimeInterval(Self.allowedSkew) {
            throw Self.denied("InvalidSignatureException", "Signature not yet current: \(amzDate) is still later than \(Self.formatAmzDate(serverTime.addingTimeInterval(Self.allowedSkew))) (\(Self.formatAmzDate(serverTime)) + 5 min.)")
        }
        var headers: [String: [String]] = [:]
        for field in request.headers { headers[field.name.canonicalName, default: []].append(field.value) }
        // HTTP/1.1's Host header arrives as the request's authority, not among the fields.
        if headers["host"] == nil, let authority = request.head.authority { headers["host"] = [authority] }
        return Pending(authorization: authorization, secret: secret, amzDate: amzDate, method: request.method.rawValue,
                       path: request.uri.path, query: request.uri.query, headers: headers)
    }

    /// Recomputes the signature over the received body. The payload hash is always the
    /// body's own SHA-256 (clients send it in the clear over HTTP), so a changed body fails.
    func verify(_ pending: Pending, body: [UInt8]) throws(AWSError) {
        let auth = pending.authorization
        let canonical = SignatureV4.canonicalRequest(method: pending.method, path: pending.path, query: pending.query,
                                                     headers: pending.headers, signedHeaders: auth.signedHeaders,
                                                     payloadHash: SignatureV4.sha256Hex(body))
        let toSign = SignatureV4.stringToSign(amzDate: pending.amzDate, scope: auth.scope, canonicalRequest: canonical)
        let key = SignatureV4.signingKey(secret: pending.secret, date: auth.date, region: auth.region, service: auth.service)
        guard SignatureV4.constantTimeEqual(SignatureV4.signature(stringToSign: toSign, key: key), auth.signature) else {
            throw Self.denied("InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
        }
    }

    static func denied(_ code: String, _ message: String) -> AWSError { AWSError(.forbidden, code, message) }

    /// `20150830T123600Z` (ISO 8601 basic format, UTC).
    static func parseAmzDate(_ text: String) -> Date? {
        let digits = Array(text.utf8)
        guard digits.count == 16, digits[8] == UInt8(ascii: "T"), digits[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? { Int(String(decoding: digits[range], as: UTF8.self)) }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
              let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))
    }

    static func formatAmzDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }
}
