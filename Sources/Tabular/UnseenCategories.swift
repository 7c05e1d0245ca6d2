import Foundation

extension Recipe {
    /// The first CATEGORICAL value of a row that the training rows never held, as an error
    /// naming the column, the value and the values the model knows. Such a value would be
    /// scored silently as a rare level, so predictions refuse it; missing values are fine
    /// (the recipe has a level for them).
    public func checkKnownCategories(_ value: (String) -> String?) throws(TabularError) {
        for t in columns where t.type == .categorical {
            guard let raw = value(t.column), !Missing.isMissing(raw) else { continue }
            let v = Self.normalise(raw)
            let known = t.seen ?? t.levels
            guard !known.contains(v) else { continue }
            let listed = known.count <= 12 ? known.joined(separator: ", ") : known.prefix(12).joined(separator: ", ") + ", ... (\(known.count) in all)"
            let spelling = known.first { $0.lowercased() == v.lowercased() }.map { " (did you mean '\($0)'?)" } ?? ""
            throw TabularError("column '\(t.column)': '\(v)' is not a value the model was trained on\(spelling); expected one of \(listed)")
        }
    }
}
