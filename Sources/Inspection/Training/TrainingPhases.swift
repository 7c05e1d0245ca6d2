import Foundation

/// The phases of one training run as they happen: each phase's wall-clock seconds (a phase
/// run again adds to its total), and progress handed to the caller's closure with the
/// share of the whole run done so far, estimated from `TrainingPlan`'s work units.
/// Progress may be reported from worker threads.
final class TrainingPhases: @unchecked Sendable {
    private let lock = NSLock()
    private let plan: TrainingPlan
    private let callback: TrainingProgress
    private var seconds: [(phase: String, seconds: Double)] = []
    /// Work units of the phases (or repeats of a phase) already finished.
    private var finishedUnits = 0.0
    private var current: (phase: String, done: Int, total: Int)?
    /// Put before the phase names of a model fitted for the report ("hold-out model: ").
    var prefix = ""

    init(plan: TrainingPlan, progress: @escaping TrainingProgress) {
        self.plan = plan
        callback = progress
    }

    /// Seconds per phase, in the order each first ran.
    var phaseSeconds: [(phase: String, seconds: Double)] {
        lock.lock(); defer { lock.unlock() }
        return seconds
    }

    /// Times `body` as part of `phase`.
    func time<T>(_ phase: String, _ body: () throws(InspectionError) -> T) throws(InspectionError) -> T {
        let start = Date()
        defer { add(seconds: Date().timeIntervalSince(start), to: prefix + phase) }
        return try body()
    }

    /// Times `body` as part of `phase` and reports its progress: `body` is given a function
    /// to call with the number of items done (of `total`).
    func run<T>(_ phase: String, total: Int, _ body: (@escaping @Sendable (Int) -> Void) throws(InspectionError) -> T) throws(InspectionError) -> T {
        update(phase, 0, total)
        let value = try time(phase) { () throws(InspectionError) -> T in try body { [self] in update(phase, $0, total) } }
        update(phase, total, total)
        finish()
        return value
    }

    /// `done` of `total` items of `phase` (another phase or total ends the current one; a
    /// `done` below the last one, from a thread that reports late, is ignored).
    func update(_ phase: String, _ done: Int, _ total: Int) {
        lock.lock()
        let name = prefix + phase
        if let c = current, c.phase != name || total != c.total {
            finishedUnits += plan.units(c.phase, items: c.total)
            current = nil
        }
        current = (name, max(done, current?.done ?? 0), total)
        let doneUnits = finishedUnits + plan.units(name, items: current?.done ?? 0)
        let overall = min(0.99, doneUnits / max(plan.totalUnits, 1e-9))
        let event = TrainingProgressEvent(phase: name, done: current?.done ?? 0, total: total, overall: overall)
        lock.unlock()
        callback(event)
    }

    /// Ends the current phase's progress (its work counts as done).
    func finish() {
        lock.lock(); defer { lock.unlock() }
        if let c = current { finishedUnits += plan.units(c.phase, items: c.total) }
        current = nil
    }

    /// Adds `value` seconds to `phase` (for a step timed before the plan existed).
    func add(seconds value: Double, to phase: String) {
        lock.lock(); defer { lock.unlock() }
        if let i = seconds.firstIndex(where: { $0.phase == phase }) {
            seconds[i].seconds += value
        } else {
            seconds.append((phase, value))
        }
    }
}
