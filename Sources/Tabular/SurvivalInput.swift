import Foundation

/// The passenger the shipped survival model scores, each field checked against the values
/// the model was trained on. Age and sex are required for a prediction (`requiredFields`);
/// class and port may be missing (the model's recipe handles them). `inspect survival`,
/// `inspect tabular predict` with the shipped model and the HTTP API all read passengers
/// through it, so they accept and refuse the same passengers.
public struct SurvivalInput: Sendable, Equatable, Codable {
    public var age: Double?
    public var sex: String?
    public var pclass: Int?
    public var embarked: String?

    public static let fieldNames = ["age", "sex", "pclass", "embarked"]
    /// What a prediction needs: "women and children first" turned on age and sex, and a
    /// selfie gives both. Without them the model would answer for a passenger nobody described.
    public static let requiredFields = ["age", "sex"]
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

    /// The required fields that are absent.
    public var missingRequiredFields: [String] {
        Self.requiredFields.filter { name in
            switch name {
            case "age": return age == nil
            case "sex": return sex == nil
            case "pclass": return pclass == nil
            default: return embarked == nil
            }
        }
    }

    /// This passenger when it can be scored: every required field present (and valid).
    public func readyToPredict() throws(TabularError) -> SurvivalInput {
        let missing = missingRequiredFields
        guard missing.isEmpty else {
            let optional = Self.fieldNames.filter { !Self.requiredFields.contains($0) }
            throw TabularError("missing required field\(missing.count == 1 ? "" : "s"): \(missing.joined(separator: ", ")) "
                               + "(\(Self.requiredFields.joined(separator: " and ")) are required; \(optional.joined(separator: " and ")) are optional)")
        }
        return try validated()
    }

    /// A row of a table with the model's columns among others (Kaggle's `PassengerId,Name,...`):
    /// the passenger's fields are read, the other columns ignored.
    public init(row value: (String) -> String?) throws(TabularError) {
        var fields: [String: String?] = [:]
        for name in Self.fieldNames { fields[name] = value(name) }
        try self.init(fields: fields)
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
