import Foundation
import Testing
@testable import Tabular

@Suite struct RecipeTests {
    func datasource() throws -> Datasource {
        var text = "x,colour,y\n"
        for i in 0..<100 {
            let colour = i < 60 ? "red" : i < 95 ? "blue" : i < 99 ? "green" : ""
            text += "\(i % 10 == 9 ? "?" : String(i)),\(colour),\(i % 2)\n"
        }
        let t = try CSVReader.parse(text: text)
        return try Datasource(table: t, schema: try SchemaInference.infer(t, target: "y"))
    }

    @Test func binsOneHotRareBucketAndMissingIndicators() throws {
        let ds = try datasource()
        // Bins learned on the first 50 rows only: values 0...48 (every tenth missing).
        let r = try Recipe.fit(ds, rows: Array(0..<50), features: ["x", "colour"], options: RecipeOptions(quantileBins: 4))
        let edges = try #require(r.columns.first).edges
        #expect(edges.count == 3 && (edges.last ?? 0) < 49)
        #expect(r.featureNames == ["x[bin 0]", "x[bin 1]", "x[bin 2]", "x[bin 3]", "x[missing]",
                                   "colour=red", "colour=(rare)", "colour=(missing)"])
        #expect(try r.transform { ["x": "1000", "colour": "red"][$0] } == [0, 0, 0, 1, 0, 1, 0, 0])
        // An unseen level goes to the rare bucket; an absent value is missing.
        #expect(try r.transform { ["x": "?", "colour": "purple"][$0] } == [0, 0, 0, 0, 1, 0, 1, 0])
        #expect(try r.transform { _ in nil } == [0, 0, 0, 0, 1, 0, 0, 1])
        do { _ = try r.transform { ["x": "ten"][$0] }; Issue.record("no error") }
        catch { #expect("\(error)".contains("column 'x': 'ten' is not a number")) }
    }

    @Test func standardisedValuesAndCrosses() throws {
        let ds = try datasource()
        let all = Array(0..<100)
        let r = try Recipe.fit(ds, rows: all, features: ["x", "colour"],
                               options: RecipeOptions(numeric: .standardize, quantileBins: 2, crossAllPairs: true))
        let t = try #require(r.columns.first)
        let z = try r.transform { ["x": String(t.mean + t.std), "colour": "blue"][$0] }
        #expect(abs(z[0] - 1) < 1e-12)
        #expect(r.crosses.count == 1 && r.crosses[0].columns == ["x", "colour"])
        #expect(r.featureNames.contains("cross(x=bin1&colour=blue)"))
        let m = try r.matrix(ds, rows: all)
        #expect(m.rows == 100 && m.columns == r.featureNames.count)
    }
}
