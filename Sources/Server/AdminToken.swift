import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// The bearer token the admin routes require (`--admin-token`, `INSPECT_ADMIN_TOKEN`).
struct AdminToken: Sendable {
    private let digest: String

    init(_ token: String) { digest = SignatureV4.sha256Hex(Array(token.utf8)) }

    /// Passes a request whose `Authorization: Bearer TOKEN` carries the token: 401 without
    /// one, 403 with another. The SHA-256 digests are compared in constant time, so neither
    /// the time taken nor an early exit on the length tells how much of a guess was right.
    func check(_ request: Request) throws(APIError) {
        guard let header = request.headers[.authorization] else {
            var headers = HTTPFields()
            headers[.wwwAuthenticate] = "Bearer"
            throw APIError(.unauthorized, code: "Unauthorized", "this route needs the header Authorization: Bearer TOKEN (the server's --admin-token)", headers: headers)
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer",
              SignatureV4.constantTimeEqual(SignatureV4.sha256Hex(Array(parts[1].trimmingCharacters(in: .whitespaces).utf8)), digest) else {
            throw APIError(.forbidden, code: "Forbidden", "the admin token is wrong")
        }
    }
}
