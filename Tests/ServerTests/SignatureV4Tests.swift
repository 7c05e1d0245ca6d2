import Foundation
import HTTPTypes
import Hummingbird
@testable import Server
import Testing

/// SigV4 against botocore's signer: Fixtures/sigv4-botocore.json holds requests signed by
/// botocore 1.35.99 at a fixed time, with its canonical request and string to sign
/// (tools/fixtures/make-sigv4-fixture.sh). The first case is the AWS SigV4 test suite's
/// get-vanilla, whose published signature is 5fa00fa3...fbf31.
@Suite struct SignatureV4Tests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var name, method, path, query, bodyBase64, accessKeyId, secret, region, service, amzDate: String
            var headers: [[String]]
            var canonicalRequest, stringToSign, authorization: String
            var body: [UInt8] { Array(Data(base64Encoded: bodyBase64) ?? Data()) }
        }
        var botocore: String
        var cases: [Case]
    }

    static let fixture = Result {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/sigv4-botocore.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    /// The request as the server receives it: Host as the authority, the other headers as fields.
    static func request(_ c: Fixture.Case, edit: (inout HTTPFields) -> Void = { _ in }) throws -> Request {
        var fields = HTTPFields()
        var authority: String?
        for pair in c.headers where pair.count == 2 {
            if pair[0].lowercased() == "host" { authority = pair[1]; continue }
            fields.append(HTTPField(name: try #require(HTTPField.Name(pair[0])), value: pair[1]))
        }
        edit(&fields)
        let head = HTTPRequest(method: try #require(HTTPRequest.Method(c.method)), scheme: "http", authority: authority,
                               path: c.query.isEmpty ? c.path : c.path + "?" + c.query, headerFields: fields)
        return Request(head: head, body: RequestBody(buffer: ByteBuffer(bytes: c.body)))
    }

    static func verifier(_ c: Fixture.Case, secret: String? = nil, secondsAfter: TimeInterval = 0) throws -> SignatureV4Verifier {
        let time = try #require(SignatureV4Verifier.parseAmzDate(c.amzDate)).addingTimeInterval(secondsAfter)
        return SignatureV4Verifier(credentials: AWSCredentials(secrets: [c.accessKeyId: secret ?? c.secret]), now: { time })
    }

    @Test func fixtureWasSignedByTheExpectedBotocore() throws {
        let fixture = try Self.fixture.get()
        #expect(fixture.botocore == "1.35.99")
        #expect(fixture.cases.count == 4)
        #expect(fixture.cases.first?.authorization.hasSuffix("Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31") == true)
    }

    @Test func eachStepMatchesBotocore() throws {
        for c in try Self.fixture.get().cases {
            let auth = try SignatureV4.parseAuthorization(c.authorization)
            var headers: [String: [String]] = [:]
            for pair in c.headers where pair.count == 2 { headers[pair[0].lowercased(), default: []].append(pair[1]) }
            let canonical = SignatureV4.canonicalRequest(method: c.method, path: c.path, query: c.query, headers: headers,
                                                         signedHeaders: auth.signedHeaders, payloadHash: SignatureV4.sha256Hex(c.body))
            #expect(canonical == c.canonicalRequest, "\(c.name)")
            let toSign = SignatureV4.stringToSign(amzDate: c.amzDate, scope: auth.scope, canonicalRequest: canonical)
            #expect(toSign == c.stringToSign, "\(c.name)")
            let key = SignatureV4.signingKey(secret: c.secret, date: auth.date, region: auth.region, service: auth.service)
            #expect(SignatureV4.signature(stringToSign: toSign, key: key) == auth.signature, "\(c.name)")
        }
    }

    @Test func verifierAcceptsBotocoresRequestsWithinFiveMinutes() throws {
        for c in try Self.fixture.get().cases {
            for offset in [-299.0, 0, 299] {
                let verifier = try Self.verifier(c, secondsAfter: offset)
                let pending = try verifier.preflight(try Self.request(c), signingName: c.service)
                try verifier.verify(pending, body: c.body)
            }
        }
    }

    /// The failure for one changed thing, as (status, code).
    static func failure(_ attempt: () throws -> Void) -> (Int, String)? {
        do { try attempt() } catch let error as AWSError { return (Int(error.status.code), error.code) } catch { return (0, "\(error)") }
        return nil
    }

    @Test func everyTamperingIsRefusedWith403InAWSsTerms() throws {
        let c = try #require(try Self.fixture.get().cases.first { $0.name == "lookoutvision-detect-anomalies" })
        let request = try Self.request(c)
        func check(_ verifier: SignatureV4Verifier, request: Request, body: [UInt8], signingName: String = c.service) throws {
            try verifier.verify(try verifier.preflight(request, signingName: signingName), body: body)
        }
        #expect(Self.failure { try check(try Self.verifier(c, secret: "wrong"), request: request, body: c.body) }?.1 == "InvalidSignatureException")
        #expect(Self.failure { try check(try Self.verifier(c), request: request, body: c.body + [0]) }?.1 == "InvalidSignatureException")
        let expired = Self.failure { try check(try Self.verifier(c, secondsAfter: 301), request: request, body: c.body) }
        #expect(expired?.0 == 403 && expired?.1 == "InvalidSignatureException")
        #expect(Self.failure { try check(try Self.verifier(c, secondsAfter: -301), request: request, body: c.body) }?.1 == "InvalidSignatureException")
        #expect(Self.failure { try check(try Self.verifier(c), request: request, body: c.body, signingName: "rekognition") }?.1 == "InvalidSignatureException")
        let unknownKey = SignatureV4Verifier(credentials: AWSCredentials(secrets: ["AKIAOTHER": c.secret]), now: try Self.verifier(c).now)
        #expect(Self.failure { try check(unknownKey, request: request, body: c.body) }?.1 == "UnrecognizedClientException")

        let unsigned = try Self.request(c) { $0[.authorization] = nil }
        let missing = Self.failure { try check(try Self.verifier(c), request: unsigned, body: c.body) }
        #expect(missing?.0 == 403 && missing?.1 == "MissingAuthenticationTokenException")
        let garbled = try Self.request(c) { $0[.authorization] = "AWS4-HMAC-SHA256 Credential=nonsense" }
        #expect(Self.failure { try check(try Self.verifier(c), request: garbled, body: c.body) }?.1 == "IncompleteSignatureException")
        // A signed header changed after signing.
        let retyped = try Self.request(c) { $0[.contentType] = "image/jpeg" }
        #expect(Self.failure { try check(try Self.verifier(c), request: retyped, body: c.body) }?.1 == "InvalidSignatureException")
    }

    @Test func uriEncodingFollowsSigV4() {
        #expect(SignatureV4.uriEncode("a b/c~d_e.f-g*", keepSlash: true) == "a%20b/c~d_e.f-g%2A")
        #expect(SignatureV4.uriEncode("a/b", keepSlash: false) == "a%2Fb")
        #expect(SignatureV4.uriEncode("é", keepSlash: false) == "%C3%A9")
        #expect(SignatureV4.canonicalQuery("b=2&a=x%2Fy&a=1&c") == "a=1&a=x%2Fy&b=2&c=")
        #expect(SignatureV4.canonicalURI("") == "/")
        #expect(SignatureV4.trimAll("  a   b \t c ") == "a b c")
    }

    @Test func credentialsFileIsTheSharedCredentialsFormat() throws {
        let parsed = try AWSCredentials.parse("""
            # keys for the tests
            [default]
            aws_access_key_id = AKIAONE
            aws_secret_access_key = secret/one
            region = us-east-1

            [second]
            aws_access_key_id=AKIATWO
            aws_secret_access_key=secret=two
            """, source: "test")
        #expect(parsed.secrets == ["AKIAONE": "secret/one", "AKIATWO": "secret=two"])
        func message(_ text: String) -> String? {
            do { _ = try AWSCredentials.parse(text, source: "creds"); return nil } catch { return error.description }
        }
        #expect(message("[a]\naws_access_key_id = K\n")?.contains("creds:1: [a] needs both") == true)
        #expect(message("aws_access_key_id = K\n")?.contains("creds:1:") == true)
        #expect(message("")?.contains("no key pairs") == true)
        #expect(message("[a]\naws_access_key_id=K\naws_secret_access_key=s\n[b]\naws_access_key_id=K\naws_secret_access_key=t\n")?.contains("appears twice") == true)
        #expect(throws: AWSCredentials.FileError.self) { try AWSCredentials.load(path: "/nonexistent/credentials") }
    }

    @Test func unsignedRequestsOnlyOnLoopbackUnlessAllowed() throws {
        for host in ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"] { #expect(AWSSettings.isLoopback(host), "\(host)") }
        for host in ["0.0.0.0", "::", "10.0.0.1", "example.com", "127.0.0.256"] { #expect(!AWSSettings.isLoopback(host), "\(host)") }
        let catalog = try StubCatalog.catalog()
        #expect(throws: StartError.self) { try InspectService(configuration: ServerConfiguration(host: "0.0.0.0"), models: catalog) }
        var insecure = ServerConfiguration(host: "0.0.0.0")
        insecure.aws.allowUnsignedOffLoopback = true
        _ = try InspectService(configuration: insecure, models: catalog)
        var signed = ServerConfiguration(host: "0.0.0.0")
        signed.aws.credentials = AWSTestKeys.credentials
        _ = try InspectService(configuration: signed, models: catalog)
    }
}
