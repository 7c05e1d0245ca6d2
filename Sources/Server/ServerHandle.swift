import Foundation
import Logging
import NIOCore
import ServiceLifecycle

/// A service started in the background (tests, embedding): its port and a graceful stop.
public final class ServerHandle: Sendable {
    public let port: Int
    /// The AWS-compatible routes' own port, when they have one.
    public let awsPort: Int?
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    init(port: Int, awsPort: Int? = nil, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.awsPort = awsPort
        self.group = group
        self.task = task
    }

    /// Stops accepting connections, lets requests in flight finish, and waits for the end.
    public func shutdown() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}

/// Why the service could not start, in words: a port already in use names the port and
/// what to do instead of the socket call's errno.
public struct StartError: Error, CustomStringConvertible {
    public var description: String

    init(description: String) { self.description = description }

    /// The error in words when it is a listening problem the user can fix; nil otherwise.
    static func listening(_ error: any Error, host: String, port: Int) -> StartError? {
        if let known = error as? StartError { return known }
        let errno = (error as? IOError)?.errnoCode
        let text = String(describing: error)
        if errno == EADDRINUSE || text.contains("Address already in use") {
            return StartError(description: "port \(port) on \(host) is already in use (another `inspect serve`?): stop that program, "
                              + "or choose another port with --port (--port 0 picks a free one)")
        }
        if errno == EADDRNOTAVAIL || text.contains("Cannot assign requested address") {
            return StartError(description: "cannot listen on \(host): this machine has no such address; use --host 127.0.0.1, or 0.0.0.0 for every address")
        }
        if errno == EACCES {
            return StartError(description: "port \(port) needs more privileges than this user has: choose a port above 1023 with --port")
        }
        return nil
    }
}

extension InspectService {
    /// Starts listening in the background; returns once the port is bound (or throws why not).
    public func start() async throws -> ServerHandle {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = application(onRunning: { port in continuation.yield(port); continuation.finish() })
        let (awsPorts, awsContinuation) = AsyncStream.makeStream(of: Int.self)
        let awsApp = awsApplication(onRunning: { port in awsContinuation.yield(port); awsContinuation.finish() })
        if awsApp == nil { awsContinuation.finish() }
        var services: [any Service] = [app]
        if let awsApp { services.append(awsApp) }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [], logger: Logger(label: "inspect.serve")))
        let task = Task {
            defer { continuation.finish(); awsContinuation.finish() }
            try await group.run()
        }
        for await port in ports {
            var awsPort: Int?
            for await bound in awsPorts { awsPort = bound }
            if awsApp != nil && awsPort == nil { break }
            return ServerHandle(port: port, awsPort: awsPort, group: group, task: task)
        }
        do { try await task.value } catch { throw StartError.listening(error, host: configuration.host, port: configuration.port) ?? error }
        throw StartError(description: "the server stopped before listening on \(configuration.host):\(configuration.port)")
    }
}
