import Testing
import Tabular

/// The passenger record both front ends read: spellings normalised, ranges checked, and the
/// message naming the field and what was expected.
@Suite struct SurvivalInputTests {
    @Test func validatesAndNormalisesSpellings() throws {
        let input = try SurvivalInput(age: 28, sex: "Male", pclass: 3, embarked: "s").validated()
        #expect(input == SurvivalInput(age: 28, sex: "male", pclass: 3, embarked: "S"))
        #expect(input.row == ["age": "28", "sex": "male", "pclass": "3", "embarked": "S"])
        // Missing fields stay out of the row (the model's recipe handles them).
        #expect(try SurvivalInput(sex: "female").validated().row == ["sex": "female"])
        #expect(SurvivalInput(age: 0.5).row == ["age": "0.5"])
    }

    @Test func outOfRangeValuesNameTheFieldAndTheExpectedValues() {
        let cases: [(SurvivalInput, String)] = [
            (SurvivalInput(age: 121), "age 121: expected years between 0 and 120"),
            (SurvivalInput(age: -1), "age -1: expected years between 0 and 120"),
            (SurvivalInput(sex: "robot"), "sex 'robot': expected male or female"),
            (SurvivalInput(pclass: 4), "pclass 4: expected 1, 2 or 3"),
            (SurvivalInput(embarked: "X"), "embarked 'X': expected S (Southampton), C (Cherbourg) or Q (Queenstown)"),
        ]
        for (input, message) in cases {
            #expect { try input.validated() } throws: { error in "\(error)".contains(message) }
        }
    }

    @Test func predictionNeedsAgeAndSexAndNamesWhatIsMissing() throws {
        #expect { try SurvivalInput().readyToPredict() } throws: { error in
            "\(error)".contains("missing required fields: age, sex")
        }
        #expect { try SurvivalInput(sex: "female", pclass: 1).readyToPredict() } throws: { error in
            "\(error)".contains("missing required field: age")
        }
        // Class and port may be missing; values are still checked.
        #expect(try SurvivalInput(age: 30, sex: "Female").readyToPredict() == SurvivalInput(age: 30, sex: "female"))
        #expect { try SurvivalInput(age: 30, sex: "unknown").readyToPredict() } throws: { error in
            "\(error)".contains("sex 'unknown': expected male or female")
        }
    }

    @Test func readsAPassengerFromATableRowIgnoringOtherColumns() throws {
        let row = ["PassengerId": "7", "Name": "Jack", "Age": "20", "Sex": "male", "Pclass": "3"]
        let input = try SurvivalInput { column in row.first { $0.key.lowercased() == column }?.value }
        #expect(input == SurvivalInput(age: 20, sex: "male", pclass: 3))
    }

    @Test func readsLooselyTypedFields() throws {
        let input = try SurvivalInput(fields: ["Age": "28", "sex": " female ", "pclass": "2.0", "embarked": "c"])
        #expect(input == SurvivalInput(age: 28, sex: "female", pclass: 2, embarked: "C"))
        // Empty and null are missing.
        #expect(try SurvivalInput(fields: ["age": "", "sex": nil]) == SurvivalInput())
        let cases: [([String: String?], String)] = [
            (["name": "Jack"], "unknown field 'name': expected age, sex, pclass, embarked"),
            (["age": "old"], "age 'old': expected a number of years"),
            (["age": "nan"], "age 'nan': expected a number of years"),
            (["pclass": "2.5"], "pclass '2.5': expected 1, 2 or 3"),
            (["pclass": "7"], "pclass 7: expected 1, 2 or 3"),
        ]
        for (fields, message) in cases {
            #expect { try SurvivalInput(fields: fields) } throws: { error in "\(error)".contains(message) }
        }
    }

    @Test func wholeNumbersAreWrittenWithoutADecimalPoint() {
        #expect(SurvivalInput.fieldText(28) == "28")
        #expect(SurvivalInput.fieldText(-3) == "-3")
        #expect(SurvivalInput.fieldText(0.25) == "0.25")
        #expect(SurvivalInput.fieldText(1e20) == "1e+20")
    }
}
