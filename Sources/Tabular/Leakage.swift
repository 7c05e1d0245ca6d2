import Foundation

/// A column that predicts the target almost perfectly, usually because it was recorded
/// after the outcome (on the Titanic list: the lifeboat and the body number).
public struct LeakageWarning: Codable, Sendable {
    public var column: String
    public var reason: String
}

public enum LeakageGuard {
    /// Alone, a column ranking the target with at least this AUC is a leak.
    public static let maxAUC = 0.95
    /// A group of rows (a level, a bin, or "present"/"missing") this large ...
    public static let minGroupShare = 0.05
    /// ... in which the target is one class at least this often, is a leak.
    public static let purity = 0.99
    /// Fewer rows than this and a column can rank the target perfectly by chance (6 rows and
    /// a numeric column do it in 1 of 20 draws), so the AUC test is not made.
    public static let minRowsForAUC = 100

    public static func check(_ ds: Datasource, columns: [String]) throws -> [LeakageWarning] {
        var out: [LeakageWarning] = []
        let y = ds.labels
        let n = y.count
        guard n > 0 else { return [] }
        let base = Double(y.reduce(0, +)) / Double(n)
        let minGroup = Swift.max(10, Int((minGroupShare * Double(n)).rounded(.up)))
        for c in columns {
            guard let a = ds.schema.attribute(c) else { continue }
            let raw = try ds.values(a.attributeName)
            let keys = groupKeys(raw, type: a.attributeType, minGroup: minGroup)
            // Each row scored by its group's positive rate: how well the column alone ranks the target.
            var sum: [String: (pos: Int, n: Int)] = [:]
            for (k, l) in zip(keys, y) { let s = sum[k, default: (0, 0)]; sum[k] = (s.pos + l, s.n + 1) }
            let scores = keys.map { k in sum[k].map { Double($0.pos) / Double($0.n) } ?? base }
            let auc = Metrics.auc(scores: scores, labels: y)
            if n >= minRowsForAUC && auc >= maxAUC {
                out.append(LeakageWarning(column: a.attributeName, reason: String(format: "alone it ranks the target with AUC %.3f", auc)))
                continue
            }
            // Presence itself, and each group, checked for a (nearly) pure outcome.
            var groups = sum.map { (name: "'\($0.key)'", pos: $0.value.pos, n: $0.value.n) }
            let presentIdx = raw.indices.filter { !Missing.isMissing(raw[$0]) }
            if presentIdx.count < n {
                groups.append((name: "present", pos: presentIdx.reduce(0) { $0 + y[$1] }, n: presentIdx.count))
            }
            for g in groups.sorted(by: { $0.n > $1.n }) where g.n >= minGroup && g.name != "'(other)'" {
                let rate = Double(g.pos) / Double(g.n)
                if (rate >= purity && base <= purity - 0.09) || (rate <= 1 - purity && base >= 1.09 - purity) {
                    let label = rate >= purity ? ds.positiveLabel : ds.negativeLabel
                    let share = rate >= purity ? rate : 1 - rate
                    let what = g.name == "present" ? "when it has a value" : "when it is \(g.name)"
                    out.append(LeakageWarning(column: a.attributeName, reason: String(
                        format: "%@, the target is '%@' in %.1f%% of %d rows (%.0f%% of all)",
                        what, label, 100 * share, g.n, 100 * Double(g.n) / Double(n))))
                    break
                }
            }
        }
        return out
    }

    /// The group of each value: missing, a numeric decile, or a level seen at least minGroup times.
    static func groupKeys(_ raw: [String], type: AttributeType, minGroup: Int) -> [String] {
        if type == .numeric {
            let xs = raw.compactMap(Missing.number)
            let edges = Quantiles.edges(xs, bins: 10)
            return raw.map { s in Missing.number(s).map { "bin \(Quantiles.bin($0, edges))" } ?? "(missing)" }
        }
        let t = raw.map { Missing.isMissing($0) ? "(missing)" : $0.trimmingCharacters(in: .whitespaces) }
        var count: [String: Int] = [:]
        for k in t { count[k, default: 0] += 1 }
        return t.map { count[$0, default: 0] >= minGroup ? $0 : "(other)" }
    }
}
