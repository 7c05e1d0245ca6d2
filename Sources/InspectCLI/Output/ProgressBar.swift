import Foundation

/// Progress of long work on stderr: items done, rate and time left, redrawn at most ten
/// times a second, and only when stderr is a terminal (logs and pipes stay clean).
/// Safe to advance from several threads.
final class ProgressBar: @unchecked Sendable {
    private let total: Int
    private let label: String
    private let enabled: Bool
    private let start = Date()
    private let lock = NSLock()
    private var done = 0
    private var lastDraw = Date.distantPast

    init(total: Int, label: String, enabled: Bool = isatty(STDERR_FILENO) != 0) {
        self.total = total
        self.label = label
        self.enabled = enabled && total > 0
    }

    func advance(by count: Int = 1) {
        lock.lock()
        defer { lock.unlock() }
        done += count
        guard enabled else { return }
        let now = Date()
        if now.timeIntervalSince(lastDraw) >= 0.1 || done == total {
            lastDraw = now
            draw(now)
        }
    }

    /// Clears the bar's line so the report starts on a clean line.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }

    private func draw(_ now: Date) {
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let fraction = Double(done) / Double(total)
        let width = 24
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        var line = "\r\(label) [\(bar)] \(done)/\(total)  \(formatRate(rate))/s"
        if rate > 0 && done < total {
            line += "  \(formatDuration(Double(total - done) / rate)) left"
        }
        FileHandle.standardError.write(Data((line + "\u{1B}[K").utf8))
    }
}
