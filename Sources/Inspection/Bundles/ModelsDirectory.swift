import Foundation

/// The one place every command and the server find `Models/` (the shipped network weights,
/// face and survival models): the `--models DIR` option if given, else the INSPECT_MODELS
/// environment variable, else `./Models` if it exists, else the first `Models/` found walking
/// up from the executable's directory (so `.build/release/inspect` in a clone finds the
/// repository's Models).
public enum ModelsDirectory {
    public static let environmentVariable = "INSPECT_MODELS"

    public struct NotFound: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public static func resolve(_ option: String?,
                               environment: [String: String] = ProcessInfo.processInfo.environment,
                               currentDirectory: String = FileManager.default.currentDirectoryPath,
                               executable: URL? = Bundle.main.executableURL) throws(NotFound) -> URL {
        if let option {
            guard isDirectory(option) else { throw NotFound(description: "--models \(option): no such directory") }
            return URL(fileURLWithPath: option)
        }
        if let named = environment[environmentVariable], !named.isEmpty {
            guard isDirectory(named) else { throw NotFound(description: "\(environmentVariable)=\(named): no such directory") }
            return URL(fileURLWithPath: named)
        }
        let local = (currentDirectory as NSString).appendingPathComponent("Models")
        if isDirectory(local) { return URL(fileURLWithPath: local) }
        var searched: [String] = [local]
        if let executable = executable?.resolvingSymlinksInPath() {
            var dir = executable.deletingLastPathComponent()
            while true {
                let candidate = dir.appendingPathComponent("Models")
                searched.append(candidate.path)
                if isDirectory(candidate.path) { return candidate }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        throw NotFound(description: "no Models directory found (give --models DIR or set \(environmentVariable); looked in \(searched.joined(separator: ", ")))")
    }

    static func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }
}
