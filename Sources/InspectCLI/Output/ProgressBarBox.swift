import Foundation

/// A progress bar created once the number of items is known (after scanning).
final class ProgressBarBox: @unchecked Sendable {
    private let lock = NSLock()
    private var bar: ProgressBar?
    func start(total: Int, label: String) {
        lock.lock(); defer { lock.unlock() }
        bar = ProgressBar(total: total, label: label)
    }
    func advance() {
        lock.lock(); let current = bar; lock.unlock()
        current?.advance()
    }
    func finish() {
        lock.lock(); let current = bar; lock.unlock()
        current?.finish()
    }
}
