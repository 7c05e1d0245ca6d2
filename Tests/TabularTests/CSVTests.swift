import Foundation
import Testing
@testable import Tabular

@Suite struct CSVTests {
    @Test func quotesCommasNewlinesBOMAndCRLF() throws {
        let text = "\u{FEFF}id,name,note\r\n1,\"Smith, John\",\"said \"\"hi\"\"\r\nthen left\"\r\n2,plain,\r\n\r\n3,\"\",NA\r\n"
        let t = try CSVReader.parse(text: text)
        #expect(t.header == ["id", "name", "note"])
        #expect(t.rows.count == 3)
        #expect(t.rows[0] == ["1", "Smith, John", "said \"hi\"\r\nthen left"])
        #expect(t.rows[1] == ["2", "plain", ""])
        #expect(t.rows[2] == ["3", "", "NA"])
    }

    @Test func lastLineWithoutNewlineAndLFOnly() throws {
        let t = try CSVReader.parse(text: "a,b\n1,2\n3,\"x\ny\"")
        #expect(t.rows == [["1", "2"], ["3", "x\ny"]])
    }

    @Test func missingMarkers() {
        for s in ["", "?", "NA", "NaN", " na ", "nan"] { #expect(Missing.isMissing(s), "\(s)") }
        for s in ["0", "N", "None?", "male"] { #expect(!Missing.isMissing(s), "\(s)") }
        #expect(Missing.number(" 2.5 ") == 2.5)
        #expect(Missing.number("?") == nil)
        #expect(Missing.number("inf") == nil)
    }

    @Test func errorsNameTheLine() {
        #expect(throws: TabularError.self) { try CSVReader.parse(text: "a,b\n1,2,3\n", source: "f.csv") }
        do { _ = try CSVReader.parse(text: "a,b\n1,2\n4,5,6\n", source: "f.csv"); Issue.record("no error") }
        catch { #expect("\(error)".contains("f.csv: line 3: 3 fields, but the header has 2")) }
        do { _ = try CSVReader.parse(text: "a,b\n1,\"open\n", source: "f.csv"); Issue.record("no error") }
        catch { #expect("\(error)".contains("line 2: quoted field is never closed")) }
        do { _ = try CSVReader.parse(text: "a,a\n1,2\n", source: "f.csv"); Issue.record("no error") }
        catch { #expect("\(error)".contains("'a' twice")) }
    }

    @Test func writesWhatItReads() throws {
        let rows = [["1", "a,b", "say \"x\""], ["2", "line\nbreak", ""]]
        let back = try CSVReader.parse(text: CSVReader.format(header: ["i", "s", "t"], rows: rows))
        #expect(back.rows == rows)
    }
}

@Suite struct SchemaTests {
    @Test func infersMixedColumns() throws {
        var text = "PassengerId,Survived,Pclass,Name,Sex,Age,Cabin,Flag\n"
        let words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
        for i in 0..<120 {
            let name = "\"\(words[i % 8]) \(words[(i / 8) % 8]), Mr. \(i)\""
            let cabin = i % 3 == 0 ? "" : "C\(i)"
            text += "\(i + 1),\(i % 2),\(i % 3 + 1),\(name),\(i % 2 == 0 ? "male" : "female"),\(i % 5 == 0 ? "" : String(20 + i % 40)),\(cabin),\(i % 4 == 0 ? "yes" : "no")\n"
        }
        let t = try CSVReader.parse(text: text)
        let s = try SchemaInference.infer(t, target: "survived")
        func type(_ n: String) -> AttributeType? { s.attribute(n)?.attributeType }
        #expect(s.targetAttributeName == "Survived")
        #expect(type("Survived") == .binary)
        #expect(type("Pclass") == .numeric)
        #expect(type("Name") == .text)
        #expect(type("Sex") == .categorical)
        #expect(type("Age") == .numeric)
        #expect(type("Cabin") == .text)
        #expect(type("Flag") == .binary)
        #expect(s.excludedAttributeNames == ["PassengerId"])
        #expect(s.attribute("PassengerId")?.reason?.contains("row ID") == true)
        #expect(s.attributes.allSatisfy { !($0.reason ?? "").isEmpty })
        // The schema survives a JSON round trip, and an edited type is honoured.
        var edited = try JSONDecoder().decode(Schema.self, from: s.jsonData())
        #expect(edited == s)
        edited.attributes[2].attributeType = .categorical
        let ds = try Datasource(table: t, schema: edited)
        let r = try Recipe.fit(ds, rows: Array(0..<ds.labels.count), features: ["Pclass"], options: RecipeOptions())
        #expect(r.featureNames.contains("Pclass=1"))
    }

    @Test func targetMustBeBinaryAndPresent() throws {
        let t = try CSVReader.parse(text: "a,b\n1,x\n2,y\n3,z\n", source: "t.csv")
        do { _ = try SchemaInference.infer(t, target: "b"); Issue.record("no error") }
        catch { #expect("\(error)".contains("target column 'b' has 3 distinct values")) }
        do { _ = try SchemaInference.infer(t, target: "survived"); Issue.record("no error") }
        catch { #expect("\(error)".contains("t.csv: no column named 'survived'")) }
    }
}
