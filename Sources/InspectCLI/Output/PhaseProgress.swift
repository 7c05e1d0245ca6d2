import Foundation

/// Progress bars for a sequence of phases reported as (phase, done, total).
final class PhaseProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var phase = ""
    private var done = 0
    private var bar: ProgressBar?

    func update(_ newPhase: String, _ newDone: Int, _ total: Int) {
        lock.lock(); defer { lock.unlock() }
        if newPhase != phase {
            bar?.finish()
            phase = newPhase
            done = 0
            bar = ProgressBar(total: total, label: newPhase)
        }
        if newDone > done {
            bar?.advance(by: newDone - done)
            done = newDone
        }
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        bar?.finish()
        bar = nil
        phase = ""
    }
}
