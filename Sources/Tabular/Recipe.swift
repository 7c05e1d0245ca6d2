import Foundation

/// How a NUMERIC column enters the model.
public enum NumericTransform: String, Codable, Sendable, CaseIterable {
    /// Quantile bins learned on the training rows, one-hot (Amazon ML's default recipe).
    case bins
    /// (x - mean) / standard deviation.
    case standardize
    /// Both the bins and the standardised value.
    case both
    /// The value itself, missing as NaN (for trees, which bin on their own).
    case raw
}

public struct RecipeOptions: Codable, Sendable, Equatable {
    public var numeric: NumericTransform = .bins
    public var quantileBins = 10
    /// A categorical level (or text token, or crossed pair) seen fewer times goes to the rare bucket.
    public var minLevelCount = 5
    /// Most distinct tokens kept from a TEXT column (most frequent first).
    public var maxTextTokens = 50
    /// Pairs of columns crossed into one categorical feature (Amazon ML's cartesian()).
    public var crosses: [[String]] = []
    /// Also cross every pair of non-TEXT features.
    public var crossAllPairs = false
    public init(numeric: NumericTransform = .bins, quantileBins: Int = 10, minLevelCount: Int = 5,
                maxTextTokens: Int = 50, crosses: [[String]] = [], crossAllPairs: Bool = false) {
        self.numeric = numeric; self.quantileBins = quantileBins; self.minLevelCount = minLevelCount
        self.maxTextTokens = maxTextTokens; self.crosses = crosses; self.crossAllPairs = crossAllPairs
    }
}

/// The learned transform of one input column.
public struct ColumnTransform: Codable, Sendable {
    public var column: String
    public var type: AttributeType
    /// NUMERIC: quantile cut points (kept in every mode: crosses use them).
    public var edges: [Double] = []
    public var mean = 0.0
    public var std = 1.0
    /// CATEGORICAL levels, or TEXT tokens, kept as their own one-hot feature.
    public var levels: [String] = []
    /// CATEGORICAL: every value present in the training rows, rare ones included (absent in
    /// model files written before it was kept; then `levels` stands for it).
    public var seen: [String]? = nil
}

public struct CrossTransform: Codable, Sendable {
    public var columns: [String]
    public var levels: [String]
}

/// An Amazon ML style recipe: learned on training rows, then applied to any row.
public struct Recipe: Codable, Sendable {
    public var options: RecipeOptions
    public var columns: [ColumnTransform]
    public var crosses: [CrossTransform]
    /// One name per output feature, in order.
    public var featureNames: [String]

    static let missingLevel = "(missing)", rareLevel = "(rare)"

    /// Learns bins, means, levels and tokens from `rows` (indices into the datasource's kept rows).
    public static func fit(_ ds: Datasource, rows: [Int], features: [String], options: RecipeOptions) throws -> Recipe {
        var columns: [ColumnTransform] = []
        for name in features {
            guard let a = ds.schema.attribute(name) else {
                throw TabularError("\(ds.table.source): feature '\(name)' is not in the schema")
            }
            let all = try ds.values(a.attributeName)
            let raw = rows.map { all[$0] }
            var t = ColumnTransform(column: a.attributeName, type: a.attributeType)
            switch a.attributeType {
            case .numeric:
                var xs: [Double] = []
                for (k, s) in raw.enumerated() where !Missing.isMissing(s) {
                    guard let v = Missing.number(s) else {
                        throw TabularError("\(ds.table.source): row \(ds.rowIndices[rows[k]] + 1), column '\(a.attributeName)': '\(s)' is not a number (the schema says NUMERIC)")
                    }
                    xs.append(v)
                }
                t.edges = Quantiles.edges(xs, bins: options.quantileBins)
                if !xs.isEmpty {
                    t.mean = xs.reduce(0, +) / Double(xs.count)
                    let v = xs.reduce(0) { $0 + ($1 - t.mean) * ($1 - t.mean) } / Double(xs.count)
                    t.std = v > 0 ? v.squareRoot() : 1
                }
            case .binary:
                for (k, s) in raw.enumerated() where !Missing.isMissing(s) && BinaryValues.value(s) == nil {
                    throw TabularError("\(ds.table.source): row \(ds.rowIndices[rows[k]] + 1), column '\(a.attributeName)': '\(s)' is not a binary value (0/1, true/false, yes/no)")
                }
            case .categorical:
                let present = raw.filter { !Missing.isMissing($0) }.map(normalise)
                t.levels = frequent(present, min: options.minLevelCount, limit: nil)
                t.seen = Set(present).sorted()
            case .text:
                t.levels = frequent(raw.flatMap { Array(Set(tokens($0))) }, min: options.minLevelCount, limit: options.maxTextTokens)
            }
            columns.append(t)
        }
        var recipe = Recipe(options: options, columns: columns, crosses: [], featureNames: [])
        let crossable = columns.filter { $0.type != .text }.map(\.column)
        let allPairs = options.crossAllPairs
            ? crossable.indices.flatMap { a in crossable.indices.filter { $0 > a }.map { [crossable[a], crossable[$0]] } } : []
        for pair in options.crosses + allPairs {
            let idx = try pair.map { c in
                guard let i = columns.firstIndex(where: { $0.column.lowercased() == c.lowercased() }) else {
                    throw TabularError("cross '\(pair.joined(separator: ":"))': '\(c)' is not one of the features (\(features.joined(separator: ", ")))")
                }
                guard columns[i].type != .text else { throw TabularError("cross '\(pair.joined(separator: ":"))': '\(c)' is TEXT and cannot be crossed") }
                return i
            }
            let values = try idx.map { try ds.values(columns[$0].column) }
            let keys = rows.map { r in zip(idx, values).map { recipe.levelKey(columns[$0.0], $0.1[r]) }.joined(separator: "&") }
            recipe.crosses.append(CrossTransform(columns: idx.map { columns[$0].column },
                                                 levels: frequent(keys, min: options.minLevelCount, limit: nil)))
        }
        recipe.featureNames = recipe.names()
        return recipe
    }

    /// Levels seen at least `min` times, most frequent first (ties by name), at most `limit`.
    static func frequent(_ values: [String], min: Int, limit: Int?) -> [String] {
        var count: [String: Int] = [:]
        for v in values { count[v, default: 0] += 1 }
        let kept = count.filter { $0.value >= min }.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
        return limit.map { Array(kept.prefix($0)) } ?? kept
    }

    static func normalise(_ s: String) -> String { s.trimmingCharacters(in: .whitespaces) }

    /// Lower-case words of letters and digits (Amazon ML's default text processing, unigrams).
    static func tokens(_ s: String) -> [String] {
        if Missing.isMissing(s) { return [] }
        return s.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init)
    }

    var usesBins: Bool { options.numeric == .bins || options.numeric == .both }
    var usesStandard: Bool { options.numeric == .standardize || options.numeric == .both }

    /// The level a value takes for crossing: its bin, its binary value, or its category.
    func levelKey(_ t: ColumnTransform, _ s: String) -> String {
        if Missing.isMissing(s) { return "\(t.column)=\(Self.missingLevel)" }
        switch t.type {
        case .numeric: return "\(t.column)=" + (Missing.number(s).map { "bin\(Quantiles.bin($0, t.edges))" } ?? Self.rareLevel)
        case .binary: return "\(t.column)=" + (BinaryValues.value(s).map { "\(Int($0))" } ?? Self.rareLevel)
        case .categorical, .text:
            let v = Self.normalise(s)
            return "\(t.column)=" + (t.levels.contains(v) ? v : Self.rareLevel)
        }
    }

    func names() -> [String] {
        var out: [String] = []
        for t in columns {
            switch t.type {
            case .numeric:
                if options.numeric == .raw { out.append(t.column); continue }
                if usesBins {
                    for b in 0...t.edges.count { out.append("\(t.column)[bin \(b)]") }
                }
                if usesStandard { out.append("\(t.column)[standardised]") }
                out.append("\(t.column)[missing]")
            case .binary:
                out.append(t.column)
                if options.numeric != .raw { out.append("\(t.column)[missing]") }
            case .categorical:
                out += t.levels.map { "\(t.column)=\($0)" } + ["\(t.column)=\(Self.rareLevel)", "\(t.column)=\(Self.missingLevel)"]
            case .text:
                out += t.levels.map { "\(t.column) has '\($0)'" }
            }
        }
        for c in crosses { out += c.levels.map { "cross(\($0))" } }
        return out
    }

    /// The feature vector of one row; `value(column)` gives the raw text, nil when absent (missing).
    /// Throws, naming the column, when a value cannot be read as its type.
    public func transform(_ value: (String) -> String?) throws -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(featureNames.count)
        for t in columns {
            let s = value(t.column) ?? ""
            let missing = Missing.isMissing(s)
            switch t.type {
            case .numeric:
                var x: Double? = nil
                if !missing {
                    guard let v = Missing.number(s) else { throw TabularError("column '\(t.column)': '\(s)' is not a number") }
                    x = v
                }
                if options.numeric == .raw { out.append(x ?? .nan); continue }
                if usesBins {
                    let b = x.map { Quantiles.bin($0, t.edges) }
                    for k in 0...t.edges.count { out.append(b == k ? 1 : 0) }
                }
                if usesStandard { out.append(x.map { ($0 - t.mean) / t.std } ?? 0) }
                out.append(missing ? 1 : 0)
            case .binary:
                var x: Double? = nil
                if !missing {
                    guard let v = BinaryValues.value(s) else { throw TabularError("column '\(t.column)': '\(s)' is not a binary value (0/1, true/false, yes/no)") }
                    x = v
                }
                if options.numeric == .raw { out.append(x ?? .nan) } else { out += [x ?? 0, missing ? 1 : 0] }
            case .categorical:
                let v = Self.normalise(s)
                let hit = missing ? nil : t.levels.firstIndex(of: v)
                for k in t.levels.indices { out.append(hit == k ? 1 : 0) }
                out.append(!missing && hit == nil ? 1 : 0)
                out.append(missing ? 1 : 0)
            case .text:
                let present = Set(Self.tokens(s))
                for tok in t.levels { out.append(present.contains(tok) ? 1 : 0) }
            }
        }
        for c in crosses {
            let key = c.columns.map { col in
                let t = columns.first { $0.column == col } ?? ColumnTransform(column: col, type: .categorical)
                return levelKey(t, value(col) ?? "")
            }.joined(separator: "&")
            for l in c.levels { out.append(l == key ? 1 : 0) }
        }
        return out
    }

    /// Row-major feature matrix for `rows` of a datasource.
    public func matrix(_ ds: Datasource, rows: [Int]) throws -> FeatureMatrix {
        let idx = try Dictionary(uniqueKeysWithValues: Set(columns.map(\.column) + crosses.flatMap(\.columns)).map { ($0, try ds.table.columnIndex($0)) })
        var m = FeatureMatrix(rows: 0, columns: featureNames.count)
        m.values.reserveCapacity(rows.count * featureNames.count)
        for r in rows {
            let raw = ds.table.rows[ds.rowIndices[r]]
            do { m.append(try transform { idx[$0].map { raw[$0] } }) }
            catch let e as TabularError { throw TabularError("\(ds.table.source): row \(ds.rowIndices[r] + 1): \(e.message)") }
        }
        return m
    }
}

/// Dense row-major matrix of model inputs.
public struct FeatureMatrix: Sendable {
    public var rows: Int
    public var columns: Int
    public var values: [Double] = []
    public init(rows: Int, columns: Int) {
        self.rows = rows; self.columns = columns
        values = [Double](repeating: 0, count: rows * columns)
    }
    public init(rows: [[Double]]) {
        self.rows = rows.count; columns = rows.first?.count ?? 0
        values = rows.flatMap { $0 }
    }
    mutating func append(_ row: [Double]) { values += row; rows += 1 }
    public func row(_ i: Int) -> ArraySlice<Double> { values[(i * columns)..<((i + 1) * columns)] }
}
