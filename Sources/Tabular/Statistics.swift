import Foundation

/// Amazon ML style per-column statistics.
public struct ColumnStatistics: Codable, Sendable {
    public var name: String
    public var type: AttributeType
    public var missingPercent: Double
    public var distinct: Int
    public var min: Double?
    public var max: Double?
    public var mean: Double?
    /// Pearson correlation with the 0/1 target for NUMERIC and BINARY columns; the
    /// correlation ratio (eta, 0...1) for CATEGORICAL ones; nil for TEXT.
    public var targetCorrelation: Double?
}

public enum Statistics {
    public static func compute(_ ds: Datasource) throws -> [ColumnStatistics] {
        let y = ds.labels.map(Double.init)
        return try ds.schema.attributes.map { a in
            let raw = try ds.values(a.attributeName)
            let present = raw.enumerated().filter { !Missing.isMissing($0.element) }
            var s = ColumnStatistics(name: a.attributeName, type: a.attributeType,
                                     missingPercent: raw.isEmpty ? 0 : 100 * Double(raw.count - present.count) / Double(raw.count),
                                     distinct: Set(present.map { $0.element.trimmingCharacters(in: .whitespaces) }).count)
            switch a.attributeType {
            case .numeric, .binary:
                let pairs = present.compactMap { p -> (Double, Double)? in
                    let v = a.attributeType == .binary ? BinaryValues.value(p.element) : Missing.number(p.element)
                    return v.map { ($0, y[p.offset]) }
                }
                let xs = pairs.map(\.0)
                s.min = xs.min(); s.max = xs.max()
                s.mean = xs.isEmpty ? nil : xs.reduce(0, +) / Double(xs.count)
                s.targetCorrelation = pearson(xs, pairs.map(\.1))
            case .categorical:
                s.targetCorrelation = correlationRatio(present.map { $0.element }, present.map { y[$0.offset] })
            case .text:
                break
            }
            return s
        }
    }

    /// r = cov(x, y) / (sd(x) sd(y)); nil when either is constant.
    static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
        let n = Double(x.count)
        guard n > 1 else { return nil }
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in x.indices { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx); syy += (y[i] - my) * (y[i] - my) }
        guard sxx > 0, syy > 0 else { return nil }
        return sxy / (sxx * syy).squareRoot()
    }

    /// eta = sqrt(between-group sum of squares / total sum of squares) of y grouped by level.
    static func correlationRatio(_ levels: [String], _ y: [Double]) -> Double? {
        guard y.count > 1 else { return nil }
        let my = y.reduce(0, +) / Double(y.count)
        var sum: [String: (Double, Double)] = [:]
        for (l, v) in zip(levels, y) { let s = sum[l, default: (0, 0)]; sum[l] = (s.0 + v, s.1 + 1) }
        let total = y.reduce(0) { $0 + ($1 - my) * ($1 - my) }
        guard total > 0 else { return nil }
        let between = sum.values.reduce(0) { $0 + $1.1 * ($1.0 / $1.1 - my) * ($1.0 / $1.1 - my) }
        return (between / total).squareRoot()
    }
}
