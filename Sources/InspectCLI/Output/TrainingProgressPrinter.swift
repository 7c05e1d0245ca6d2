import Foundation
import Inspection

/// Training progress on stderr, with the estimated time left for the whole run (from the
/// trainer's estimate of the share done: elapsed x (1 - share) / share). On a terminal, one
/// line redrawn at most ten times a second; in a log or a pipe, one line when a phase starts
/// and then one every `interval` seconds, so a long phase still shows that it moves.
/// Safe to call from several threads.
final class TrainingProgressPrinter: @unchecked Sendable {
    private let lock = NSLock()
    private let isTerminal: Bool
    private let interval: Double
    private let start = Date()
    private var phase = ""
    private var phaseStart = Date()
    private var lastLine = Date.distantPast

    init(interval: Double = 5, isTerminal: Bool = isatty(STDERR_FILENO) != 0) {
        self.interval = interval
        self.isTerminal = isTerminal
    }

    func update(_ event: TrainingProgressEvent) {
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        let newPhase = event.phase != phase
        if newPhase {
            phase = event.phase
            phaseStart = now
        }
        let due = now.timeIntervalSince(lastLine) >= (isTerminal ? 0.1 : interval)
        guard newPhase || due || (isTerminal && event.done == event.total) else { return }
        lastLine = now
        let line = describe(event, now: now)
        FileHandle.standardError.write(Data((isTerminal ? "\r\(line)\u{1B}[K" : line + "\n").utf8))
    }

    /// Clears the terminal line so the report starts on a clean line.
    func finish() {
        lock.lock(); defer { lock.unlock() }
        if isTerminal { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
    }

    private func describe(_ event: TrainingProgressEvent, now: Date) -> String {
        var line = "\(event.phase) \(event.done)/\(event.total)"
        let phaseElapsed = now.timeIntervalSince(phaseStart)
        if event.total >= 10 && event.done > 0 && phaseElapsed > 0 { line += "  \(formatRate(Double(event.done) / phaseElapsed))/s" }
        let elapsed = now.timeIntervalSince(start)
        line += String(format: "  overall %.0f%%", event.overall * 100)
        if event.overall >= 0.02 { line += ", about \(formatDuration(elapsed * (1 - event.overall) / event.overall)) left" }
        line += " (\(formatDuration(elapsed)) so far)"
        return line
    }
}
