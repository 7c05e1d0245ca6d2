import Foundation
import TestSupport

/// Runs the `inspect` executable that `swift test` builds next to the test bundle.
enum InspectBinary {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The build folder of the running tests (`.build/<configuration>`), where `inspect` is.
    static let path: String = {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var folder = URL(fileURLWithPath: executable).deletingLastPathComponent()
        // On macOS the test binary is inside NAME.xctest/Contents/MacOS.
        while folder.pathExtension == "xctest" || folder.lastPathComponent == "MacOS" || folder.lastPathComponent == "Contents" {
            folder.deleteLastPathComponent()
        }
        return folder.appendingPathComponent("inspect").path
    }()

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments + (["score", "train"].contains(arguments.first) ? ["--models", TestPaths.models.path] : [])
        // Only the shard variables a test sets, even when the tests run inside a cluster job.
        let inherited = ProcessInfo.processInfo.environment.filter { $0.key != "JOB_COMPLETION_INDEX" && !$0.key.hasPrefix("SLURM_") }
        process.environment = inherited.merging(environment) { $1 }
        // Output goes to files, so a full pipe can never stall the child.
        let base = NSTemporaryDirectory() + "inspect-run-\(UUID().uuidString)"
        let outPath = base + ".out", errPath = base + ".err"
        defer { try? FileManager.default.removeItem(atPath: outPath); try? FileManager.default.removeItem(atPath: errPath) }
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        guard let out = FileHandle(forWritingAtPath: outPath), let err = FileHandle(forWritingAtPath: errPath) else {
            throw CocoaError(.fileWriteUnknown)
        }
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        try? out.close(); try? err.close()
        return Run(status: process.terminationStatus,
                   stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                   stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }
}
