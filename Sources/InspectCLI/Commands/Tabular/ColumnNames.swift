import Foundation

/// Column names given as separate arguments, comma-separated, or both (`--exclude a b,c`),
/// trimmed, empty ones dropped.
func columnNames(_ items: [String]) -> [String] {
    items.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}
