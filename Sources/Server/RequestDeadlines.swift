import Dispatch
import Foundation

/// Request timeouts for the whole service, kept by one repeating timer instead of one
/// sleeping task per request.
///
/// A request registers its deadline and a way to cancel its work; when it finishes it removes
/// itself, so only requests in flight are held (a few dozen under load), whatever the request
/// rate. The timer checks the in-flight requests every `tick` and cancels those past their
/// deadline. A sleeping task per request (the first implementation) kept each finished
/// request's sleeper alive until its deadline: memory grew with rate x timeout.
final class RequestDeadlines: @unchecked Sendable {
    /// How late a timeout may fire: a quarter of the timeout, at most 100 ms.
    let tick: Double
    private let lock = NSLock()
    private var inFlight: [UInt64: Entry] = [:]
    private var nextID: UInt64 = 0
    private let timer: DispatchSourceTimer

    private struct Entry {
        let deadline: UInt64
        let token: Token
        let cancel: @Sendable () -> Void
    }

    /// One registered request; `expired` tells whether its deadline passed before it finished.
    final class Token: @unchecked Sendable {
        fileprivate let id: UInt64
        private let lock = NSLock()
        private var expiredFlag = false
        var expired: Bool { lock.withLock { expiredFlag } }
        fileprivate func expire() { lock.withLock { expiredFlag = true } }
        fileprivate init(id: UInt64) { self.id = id }
    }

    init(timeoutSeconds: Double) {
        tick = min(0.1, max(0.005, timeoutSeconds / 4))
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "inspect.deadlines"))
        timer.schedule(deadline: .now() + tick, repeating: tick, leeway: .milliseconds(Int(tick * 250)))
        timer.setEventHandler { [weak self] in self?.expireOverdue() }
        timer.resume()
    }

    deinit { timer.cancel() }

    /// Registers a request ending at `seconds` from now; `cancel` is called once if it is
    /// still registered then.
    func register(seconds: Double, cancel: @escaping @Sendable () -> Void) -> Token {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, seconds) * 1e9)
        return lock.withLock {
            nextID &+= 1
            let token = Token(id: nextID)
            inFlight[nextID] = Entry(deadline: deadline, token: token, cancel: cancel)
            return token
        }
    }

    /// The request finished (in time or not).
    func remove(_ token: Token) {
        _ = lock.withLock { inFlight.removeValue(forKey: token.id) }
    }

    /// Requests registered now (for tests: finished requests must not stay).
    var count: Int { lock.withLock { inFlight.count } }

    private func expireOverdue() {
        let now = DispatchTime.now().uptimeNanoseconds
        let overdue: [Entry] = lock.withLock {
            let due = inFlight.filter { $0.value.deadline <= now }
            for id in due.keys { inFlight.removeValue(forKey: id) }
            return Array(due.values)
        }
        for entry in overdue {
            entry.token.expire()
            entry.cancel()
        }
    }
}

/// A cancel action that may be set after cancellation was asked for: then it runs at once.
final class CancelBox: @unchecked Sendable {
    private let lock = NSLock()
    private var action: (@Sendable () -> Void)?
    private var cancelled = false

    func set(_ cancel: @escaping @Sendable () -> Void) {
        let runNow = lock.withLock { () -> Bool in
            if cancelled { return true }
            action = cancel
            return false
        }
        if runNow { cancel() }
    }

    func cancel() {
        let pending = lock.withLock { () -> (@Sendable () -> Void)? in
            cancelled = true
            defer { action = nil }
            return action
        }
        pending?()
    }
}
