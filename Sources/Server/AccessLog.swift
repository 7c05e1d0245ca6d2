import Foundation
import Hummingbird

/// Where the access log goes: nowhere, standard error, or a file (appended to).
public enum AccessLogDestination: Sendable, Equatable {
    case off
    case standardError
    case file(String)

    /// `off`, `stderr` (or `-`), else a file path.
    public init(argument: String) {
        switch argument {
        case "off": self = .off
        case "stderr", "-": self = .standardError
        default: self = .file(argument)
        }
    }
}

/// One structured line per request, as JSON with sorted keys: time, method, route (the
/// route's template, "unmatched" when none), path, status, ms and bytes (the response body's
/// length; -1 when streamed without a known length).
final class AccessLog: @unchecked Sendable {
    private let handle: FileHandle
    private let lock = NSLock()

    init?(_ destination: AccessLogDestination) throws {
        switch destination {
        case .off: return nil
        case .standardError: handle = FileHandle.standardError
        case .file(let path):
            if !FileManager.default.fileExists(atPath: path) {
                guard FileManager.default.createFile(atPath: path, contents: nil) else {
                    throw AccessLogError(description: "--access-log \(path): cannot create the file")
                }
            }
            guard let file = FileHandle(forWritingAtPath: path) else {
                throw AccessLogError(description: "--access-log \(path): cannot open the file for writing")
            }
            file.seekToEndOfFile()
            handle = file
        }
    }

    func write(method: String, route: String, path: String, status: Int, milliseconds: Double, bytes: Int) {
        let entry: [String: Any] = [
            "time": ISO8601DateFormatter().string(from: Date()), "method": method, "route": route, "path": path,
            "status": status, "ms": (milliseconds * 100).rounded() / 100, "bytes": bytes,
        ]
        guard let data = try? JSONSerialization.data(withJSONObject: entry, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        lock.withLock { handle.write(data + Data("\n".utf8)) }
    }
}

public struct AccessLogError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// Logs every request the router sees, matched or not, after its response is made.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let log: AccessLog

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response: Response
        do { response = try await next(request, context) } catch { response = APIError.from(error).response }
        let elapsed = ContinuousClock.now - start
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        // Hummingbird names the path of a request no route took "NotFound".
        let route = context.endpointPath.flatMap { $0 == "NotFound" ? nil : $0 } ?? "unmatched"
        log.write(method: request.method.rawValue, route: route, path: request.uri.path,
                  status: response.status.code, milliseconds: ms, bytes: response.body.contentLength ?? -1)
        return response
    }
}
