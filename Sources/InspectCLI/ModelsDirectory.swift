import Foundation

/// The one place every command finds `Models/`: the `--models DIR` option if given, else the
/// INSPECT_MODELS environment variable, else `./Models` if it exists, else the first `Models/`
/// found walking up from the executable's directory (so `.build/release/inspect` in a clone
/// finds the repository's Models).
enum ModelsDirectory {
    struct NotFound: Error, CustomStringConvertible {
        let description: String
    }

    static func resolve(_ option: String?) throws -> URL {
        let fm = FileManager.default
        func isDirectory(_ path: String) -> Bool {
            var dir: ObjCBool = false
            return fm.fileExists(atPath: path, isDirectory: &dir) && dir.boolValue
        }
        if let option {
            guard isDirectory(option) else { throw NotFound(description: "--models \(option): no such directory") }
            return URL(fileURLWithPath: option)
        }
        if let env = ProcessInfo.processInfo.environment["INSPECT_MODELS"], !env.isEmpty {
            guard isDirectory(env) else { throw NotFound(description: "INSPECT_MODELS=\(env): no such directory") }
            return URL(fileURLWithPath: env)
        }
        let local = fm.currentDirectoryPath + "/Models"
        if isDirectory(local) { return URL(fileURLWithPath: local) }
        var searched: [String] = [local]
        if let exe = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            var dir = exe.deletingLastPathComponent()
            while true {
                let candidate = dir.appendingPathComponent("Models")
                searched.append(candidate.path)
                if isDirectory(candidate.path) { return candidate }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        throw NotFound(description: "no Models directory found (give --models DIR or set INSPECT_MODELS; looked in \(searched.joined(separator: ", ")))")
    }
}
