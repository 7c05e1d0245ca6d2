import Foundation

/// The access keys whose signatures the AWS-compatible routes accept: access key id -> secret.
///
/// The file has the format of the AWS shared credentials file (`~/.aws/credentials`), so the
/// same file can be handed to the clients (`AWS_SHARED_CREDENTIALS_FILE`):
///
///     [default]
///     aws_access_key_id = AKIAINSPECTEXAMPLE
///     aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
///
/// Every section gives one key pair; other settings (region, aws_session_token) are ignored.
public struct AWSCredentials: Sendable {
    public let secrets: [String: String]

    public init(secrets: [String: String]) {
        self.secrets = secrets
    }

    public struct FileError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public static func load(path: String) throws(FileError) -> AWSCredentials {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw FileError(description: "\(path): cannot read the credentials file: \(error.localizedDescription)")
        }
        return try parse(text, source: path)
    }

    static func parse(_ text: String, source: String) throws(FileError) -> AWSCredentials {
        struct Section { var name: String; var line: Int; var keyID: String?; var secret: String? }
        var sections: [Section] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                sections.append(Section(name: String(line.dropFirst().dropLast()), line: index + 1))
                continue
            }
            let pair = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else {
                throw FileError(description: "\(source):\(index + 1): expected 'name = value' or '[section]'")
            }
            guard !sections.isEmpty else {
                throw FileError(description: "\(source):\(index + 1): '\(pair[0])' comes before any [section]")
            }
            switch pair[0].lowercased() {
            case "aws_access_key_id": sections[sections.count - 1].keyID = pair[1]
            case "aws_secret_access_key": sections[sections.count - 1].secret = pair[1]
            default: continue
            }
        }
        var secrets: [String: String] = [:]
        for section in sections {
            guard let keyID = section.keyID, !keyID.isEmpty, let secret = section.secret, !secret.isEmpty else {
                throw FileError(description: "\(source):\(section.line): [\(section.name)] needs both aws_access_key_id and aws_secret_access_key")
            }
            if secrets[keyID] != nil {
                throw FileError(description: "\(source):\(section.line): access key id \(keyID) appears twice")
            }
            secrets[keyID] = secret
        }
        guard !secrets.isEmpty else {
            throw FileError(description: "\(source): no key pairs ([section] with aws_access_key_id and aws_secret_access_key)")
        }
        return AWSCredentials(secrets: secrets)
    }
}
