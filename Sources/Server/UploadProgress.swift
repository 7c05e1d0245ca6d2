import Foundation

/// Whether a request's body is still arriving, so a request that runs out of time while the
/// client is still sending gets 408 (the client was slow), and one that runs out of time
/// afterwards gets 504 (the service was). `BodyReader` marks the reading; the deadline reads it.
final class UploadProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var started = false
    private var finished = false

    /// The progress of the request this task serves (set by `withTimeout`).
    @TaskLocal static var current: UploadProgress?

    /// The body was being read and had not all arrived. A read ended by the timeout's
    /// cancellation still counts as unfinished, so the answer does not race the unwinding.
    var reading: Bool { lock.withLock { started && !finished } }

    /// Runs `body` (the read), marking the body as arriving until it returns.
    func whileReading<T>(_ body: () async throws -> T) async rethrows -> T {
        lock.withLock { started = true }
        let value = try await body()
        lock.withLock { finished = true }
        return value
    }
}
