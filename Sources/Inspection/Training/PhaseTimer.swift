import Foundation

/// Wall-clock seconds of each training phase, in the order they ran.
struct PhaseTimer {
    private(set) var phases: [(phase: String, seconds: Double)] = []

    mutating func time<T>(_ phase: String, _ body: () throws(InspectionError) -> T) throws(InspectionError) -> T {
        let start = Date()
        let value = try body()
        phases.append((phase, Date().timeIntervalSince(start)))
        return value
    }
}
