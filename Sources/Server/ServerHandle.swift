import Foundation
import Logging
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

public struct StartError: Error, CustomStringConvertible {
    public var description: String
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
        try await task.value
        throw StartError(description: "the server stopped before listening on \(configuration.host):\(configuration.port)")
    }
}
