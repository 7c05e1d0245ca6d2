/// The two row formats `inspect score` writes: CSV with one header line, or JSON lines.
public enum ScoreRowFormat: String, Sendable {
    case csv, jsonl

    /// The CSV header `inspect score` writes once, before the rows.
    public static let csvHeader = "path,IsAnomalous,Confidence,Score,Threshold,AnomalousAreaPercent,Error"
}
