import Foundation

/// Items per second: whole numbers from 100 up, one decimal below.
func formatRate(_ rate: Double) -> String {
    rate >= 100 ? String(Int(rate.rounded())) : String(format: "%.1f", rate)
}

/// "0.4 s", "12 s", "3 min 05 s", "1 h 02 min".
func formatDuration(_ seconds: Double) -> String {
    if seconds < 10 { return String(format: "%.1f s", seconds) }
    let s = Int(seconds.rounded())
    if s < 60 { return "\(s) s" }
    if s < 3600 { return String(format: "%d min %02d s", s / 60, s % 60) }
    return String(format: "%d h %02d min", s / 3600, (s % 3600) / 60)
}

/// A number with `digits` decimals; "-" when missing or not finite.
func formatDecimal(_ v: Double?, _ digits: Int = 3) -> String {
    guard let v, v.isFinite else { return "-" }
    return String(format: "%.\(digits)f", v)
}

/// The text padded with spaces to `width` characters (longer text is left as it is).
func padded(_ s: String, _ width: Int) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }
