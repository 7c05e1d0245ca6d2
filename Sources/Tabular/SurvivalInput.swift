import Foundation

/// The passenger the shipped survival model scores: every field optional (missing is allowed
/// and handled by the model's recipe), each checked against the values the model was trained
/// on. The command line (`inspect survival`) and the HTTP API read passengers through it.
public struct SurvivalInput: Sendable, Equatable, Codable {
    public var age: Double?
    public var sex: String?
    public var pclass: Int?
    public var embarked: String?

    public static let fieldNames = ["age", "sex", "pclass", "embarked"]
    /// The shipped survival model, in the Models directory.
    public static let modelFile = "titanic-survival.json"

    public init(age: Double? = nil, sex: String? = nil, pclass: Int? = nil, embarked: String? = nil) {
        self.age = age
        self.sex = sex
        self.pclass = pclass
        self.embarked = embarked
    }

    /// Checks ranges and spellings; the message names the field and what was expected.
    public func validated() throws(TabularError) -> SurvivalInput {
        var v = self
        if let age, !(0...120).contains(age) { throw TabularError("age \(Self.fieldText(age)): expected years between 0 and 120") }
        if let sex {
            v.sex = sex.lowercased()
            guard ["male", "female"].contains(v.sex) else { throw TabularError("sex '\(sex)': expected male or female") }
        }
        if let pclass, !(1...3).contains(pclass) { throw TabularError("pclass \(pclass): expected 1, 2 or 3") }
        if let embarked {
            v.embarked = embarked.uppercased()
            guard ["S", "C", "Q"].contains(v.embarked) else { throw TabularError("embarked '\(embarked)': expected S (Southampton), C (Cherbourg) or Q (Queenstown)") }
        }
        return v
    }

    /// The model's row: column -> value, absent fields left out (missing).
    public var row: [String: String] {
        var row: [String: String] = [:]
        if let age { row["age"] = Self.fieldText(age) }
        if let sex { row["sex"] = sex }
        if let pclass { row["pclass"] = String(pclass) }
        if let embarked { row["embarked"] = embarked }
        return row
    }

    /// From loosely typed values (JSON numbers or strings, CSV cells); "" and null are missing.
    public init(fields: [String: String?]) throws(TabularError) {
        for key in fields.keys where !Self.fieldNames.contains(key.lowercased()) {
            throw TabularError("unknown field '\(key)': expected \(Self.fieldNames.joined(separator: ", "))")
        }
        func value(_ name: String) -> String? {
            guard let v = fields.first(where: { $0.key.lowercased() == name })?.value else { return nil }
            let t = v.trimmingCharacters(in: .whitespaces)
            return t.isEmpty ? nil : t
        }
        if let a = value("age") {
            guard let age = Double(a), age.isFinite else { throw TabularError("age '\(a)': expected a number of years") }
            self.age = age
        }
        sex = value("sex")
        if let p = value("pclass") {
            guard let c = Double(p), c == c.rounded(), let pclass = Int(exactly: c) else { throw TabularError("pclass '\(p)': expected 1, 2 or 3") }
            self.pclass = pclass
        }
        embarked = value("embarked")
        self = try validated()
    }

    /// A number as a field of the model's row: whole numbers without a decimal point ("28",
    /// not "28.0"), as they appear in the training CSV.
    public static func fieldText(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v) }
}
