import Foundation

/// One figure of a benchmark run, and which way is better.
public struct BenchmarkColumn: Sendable {
    public var name: String
    public var decimals: Int
    public var higherIsBetter: Bool
    public var value: @Sendable (BenchmarkRun) -> Double?
}

/// Mean and worst of every figure over a group of runs.
public struct BenchmarkSummary: Sendable, Codable, Equatable {
    /// "kolektorsdd lookout", "lookout (all categories)", "all runs".
    public var group: String
    public var runs: Int
    public var mean: [String: Double]
    public var worst: [String: Double]
    /// Largest minus smallest F1 at the model's threshold over the group's runs (over seeds,
    /// for a category and protocol).
    public var f1Spread: Double
}

/// The benchmark's table: per-run rows, then mean and worst per category and protocol, per
/// protocol and over all runs; as text columns, CSV and JSON.
public enum BenchmarkTable {
    public static let columns: [BenchmarkColumn] = [
        .init(name: "image AUROC", decimals: 3, higherIsBetter: true) { $0.imageAUROC },
        .init(name: "F1", decimals: 3, higherIsBetter: true) { $0.f1 },
        .init(name: "best F1", decimals: 3, higherIsBetter: true) { $0.bestF1 },
        .init(name: "F1 gap", decimals: 3, higherIsBetter: false) { $0.f1Gap },
        .init(name: "precision", decimals: 3, higherIsBetter: true) { $0.precision },
        .init(name: "recall", decimals: 3, higherIsBetter: true) { $0.recall },
        .init(name: "pixel AUROC", decimals: 3, higherIsBetter: true) { $0.pixelAUROC },
        .init(name: "PRO", decimals: 3, higherIsBetter: true) { $0.perRegionOverlap },
        .init(name: "mask IoU", decimals: 3, higherIsBetter: true) { $0.markedIoU },
        .init(name: "seg mIoU", decimals: 3, higherIsBetter: true) { $0.segmentation?.meanIoU },
        // The memory-only mask's IoU measured as the segmentation's (good photos' marks count).
        .init(name: "memory IoU", decimals: 3, higherIsBetter: true) { $0.segmentation?.memoryOnlyIoU },
        .init(name: "seg pixel AUROC", decimals: 3, higherIsBetter: true) { $0.segmentation?.pixelAUROC },
        .init(name: "expected FA", decimals: 3, higherIsBetter: false) { $0.expectedFalseAlarmRate },
        .init(name: "test FA", decimals: 3, higherIsBetter: false) { $0.confusion?.falsePositiveRate },
        .init(name: "ECE", decimals: 3, higherIsBetter: false) { $0.calibrationError },
        .init(name: "train s", decimals: 1, higherIsBetter: false) { $0.trainSeconds },
        .init(name: "images/s", decimals: 1, higherIsBetter: true) { $0.scoringImagesPerSecond },
    ]

    /// Summaries: each category and protocol (over seeds), each protocol, then all runs.
    public static func summaries(_ runs: [BenchmarkRun]) -> [BenchmarkSummary] {
        var groups: [(String, [BenchmarkRun])] = []
        for run in runs {
            let key = "\(run.category) \(run.benchmarkProtocol.rawValue)"
            if let i = groups.firstIndex(where: { $0.0 == key }) { groups[i].1.append(run) } else { groups.append((key, [run])) }
        }
        let protocols = BenchmarkProtocol.allCases.compactMap { p -> (String, [BenchmarkRun])? in
            let members = runs.filter { $0.benchmarkProtocol == p }
            return members.isEmpty ? nil : ("\(p.rawValue) (all categories)", members)
        }
        return (groups + (protocols.count > 1 ? protocols : []) + [("all runs", runs)]).map { summary($0.0, $0.1) }
    }

    static func summary(_ group: String, _ runs: [BenchmarkRun]) -> BenchmarkSummary {
        var mean: [String: Double] = [:], worst: [String: Double] = [:]
        for column in columns {
            let values = runs.compactMap(column.value)
            guard !values.isEmpty else { continue }
            mean[column.name] = values.reduce(0, +) / Double(values.count)
            worst[column.name] = column.higherIsBetter ? values.min() : values.max()
        }
        let f1s = runs.map(\.f1)
        return BenchmarkSummary(group: group, runs: runs.count, mean: mean, worst: worst,
                                f1Spread: (f1s.max() ?? 0) - (f1s.min() ?? 0))
    }

    static func format(_ value: Double?, _ column: BenchmarkColumn) -> String {
        value.map { String(format: "%.\(column.decimals)f", $0) } ?? ""
    }

    /// The header and a row's cells for text and CSV output.
    public static let header = ["category", "protocol", "seed", "train good+anomalous", "test good+anomalous"] + columns.map(\.name)

    public static func cells(_ run: BenchmarkRun) -> [String] {
        [run.category, run.benchmarkProtocol.rawValue, "\(run.seed)",
         "\(run.trainGood)+\(run.trainAnomalous)" + (run.goodLeftOut > 0 ? " (\(run.goodLeftOut) good left out)" : ""),
         "\(run.testGood)+\(run.testAnomalous)"] + columns.map { format($0.value(run), $0) }
    }

    /// Two rows per summary: its mean and its worst.
    public static func cells(_ summary: BenchmarkSummary) -> [[String]] {
        [("mean", summary.mean), ("worst", summary.worst)].map { label, values in
            [summary.group, label, "\(summary.runs) runs", "", label == "worst" ? "F1 spread \(String(format: "%.3f", summary.f1Spread))" : ""]
                + columns.map { format(values[$0.name], $0) }
        }
    }

    /// Runs, then the summaries' mean and worst rows, as CSV.
    public static func csv(_ runs: [BenchmarkRun]) -> String {
        let rows = [header] + runs.map(cells) + summaries(runs).flatMap(cells)
        return rows.map { $0.map(csvField).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    /// The runs of a JSON written by `json`.
    public static func runs(fromJSON path: String) throws(InspectionError) -> [BenchmarkRun] {
        struct Document: Decodable { var runs: [BenchmarkRun] }
        guard let data = FileManager.default.contents(atPath: path) else { throw InspectionError(path, "cannot read the file") }
        do { return try JSONDecoder().decode(Document.self, from: data).runs } catch {
            throw InspectionError(path, "not a benchmark JSON: \(error)")
        }
    }

    /// The runs and summaries as JSON, with a free note (the machine line of the run).
    public static func json(_ runs: [BenchmarkRun], note: String?) throws(InspectionError) -> Data {
        struct Document: Encodable {
            var note: String?
            var runs: [BenchmarkRun]
            var summaries: [BenchmarkSummary]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            return try encoder.encode(Document(note: note, runs: runs, summaries: summaries(runs)))
        } catch {
            throw InspectionError("", "cannot encode the benchmark as JSON: \(error)")
        }
    }
}

/// A CSV cell: quoted (inner quotes doubled) when it holds a comma, a quote or a line break.
public func csvField(_ s: String) -> String {
    s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
}
