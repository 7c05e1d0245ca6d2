import Foundation

/// How the AWS-compatible routes (Lookout for Vision, Rekognition, Amazon ML, SageMaker
/// Runtime) are served: on the main port or their own, and whose signatures they accept.
public struct AWSSettings: Sendable {
    /// Access keys whose SigV4 signatures are accepted; nil: signatures are not checked, which
    /// the service allows only on a loopback address unless `allowUnsignedOffLoopback`.
    public var credentials: AWSCredentials?
    /// A port of their own (0: any free one); nil: the main port.
    public var port: Int?
    /// `--insecure-no-auth`: unsigned requests accepted on any address.
    public var allowUnsignedOffLoopback = false
    /// The time signatures are checked against (tests set it to check expiry).
    public var clock: @Sendable () -> Date = { Date() }

    public init(credentials: AWSCredentials? = nil, port: Int? = nil, allowUnsignedOffLoopback: Bool = false) {
        self.credentials = credentials
        self.port = port
        self.allowUnsignedOffLoopback = allowUnsignedOffLoopback
    }

    /// Refuses to serve unchecked signatures on an address other machines can reach.
    public func checkBind(host: String) throws(StartError) {
        guard credentials == nil, !allowUnsignedOffLoopback, !Self.isLoopback(host) else { return }
        throw StartError(description: """
            the AWS-compatible routes would accept unsigned requests on \(host), which other machines can reach: \
            give --aws-credentials FILE to check signatures, listen on 127.0.0.1, or accept it with --insecure-no-auth
            """)
    }

    /// 127.0.0.0/8, ::1 and localhost.
    public static func isLoopback(_ host: String) -> Bool {
        let h = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if h == "localhost" || h == "::1" || h == "0:0:0:0:0:0:0:1" { return true }
        let octets = h.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// A line for the start-up log: where the routes are and whether signatures are checked.
    public func summary(mainPort: Int, awsPort: Int?) -> String {
        let checks = credentials.map { "SigV4 signatures checked against \($0.secrets.count) access key\($0.secrets.count == 1 ? "" : "s")" }
            ?? "signatures not checked"
        return "AWS-compatible routes (Lookout for Vision, Rekognition, Amazon ML, SageMaker Runtime) on port \(awsPort ?? mainPort); \(checks)"
    }
}
