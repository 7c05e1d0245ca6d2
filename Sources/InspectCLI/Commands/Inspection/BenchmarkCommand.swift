import ArgumentParser
import Foundation
import Inspection

/// `inspect benchmark`: every product x protocol x seed, trained and scored in this process.
struct BenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark",
        abstract: "Train and test on every product set and protocol, for several seeds: the figures users act on.",
        discussion: """
            For each category (a folder in the MVTec AD layout, train/good + test/..., or \
            normal/ + anomaly/), each protocol of the datasets README (lookout: the first 20 good \
            and 10 defective photos train; good-only: every train/good photo) and each seed, trains \
            a model as `inspect train` does, then scores the test photos with it. Per run: image \
            AUROC, precision, recall and F1 at the model's own threshold, the best F1 any threshold \
            reaches on the test photos (picked on them: an upper bound) and the gap, pixel AUROC, \
            PRO and the marked areas' IoU where masks exist, training seconds and scoring \
            images/s. Then the mean and the worst per category and protocol, per protocol and over \
            all runs, written as CSV and JSON too.
            """
    )

    @Option(help: "Folder of the product sets (default: $INSPECT_DATASETS or ../shared/datasets).")
    var datasets: String?

    @Option(help: "Comma-separated categories: folders under --datasets, or paths.")
    var categories = "lookout-aliens,industrial/casting-impeller,industrial/kolektorsdd"

    @Option(help: "Comma-separated protocols: lookout, good-only.")
    var protocols = "lookout,good-only"

    @Option(help: "Comma-separated seeds.")
    var seeds = "1,2,3"

    @Option(name: .customLong("max-train"), help: "Cap the good training photos at the first N (development only: the figures are not the protocol's).")
    var maxTrain: Int?

    @Option(help: "CSV output (runs, then the mean and worst rows).")
    var csv = "out/benchmark.csv"

    @Option(help: "JSON output (runs and summaries).")
    var json = "out/benchmark.json"

    @Option(name: .customLong("write-splits"), help: "Also write each split's training and test photos as Lookout manifests into this folder (CATEGORY-PROTOCOL-train.manifest, -test.manifest), for tools/bench/patchcore_reference.py.")
    var writeSplits: String?

    @Option(help: "Instead of running, compare the verdict rules on the training photos' out-of-fold scores stored in this benchmark JSON (nested cross-validation; no test photo is used).")
    var study: String?

    @Option(help: "A note stored in the JSON (for instance the machine line of tools/machine-speed.sh).")
    var note: String?

    @Option(help: "Feature extractor: \(Backbones.names.joined(separator: " or ")).")
    var backbone = Backbones.defaultName

    @Option(name: .customLong("coreset-selection"), help: "How each model's memory is chosen: auto (the default: exact up to \(CoresetSelection.exactPatchBudget) good training patches, two-stage above), two-stage or exact.")
    var coresetSelection = CoresetSelection.automatic

    @OptionGroup var models: ModelsOption

    func validate() throws {
        if let maxTrain, maxTrain < 3 { throw ValidationError("--max-train must be at least 3") }
        for p in list(protocols) where BenchmarkProtocol(rawValue: p) == nil {
            throw ValidationError("unknown protocol \"\(p)\" (known: \(BenchmarkProtocol.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        for s in list(seeds) where UInt64(s) == nil { throw ValidationError("--seeds: \"\(s)\" is not a whole number") }
        if list(categories).isEmpty || list(protocols).isEmpty || list(seeds).isEmpty {
            throw ValidationError("give at least one category, protocol and seed")
        }
    }

    private func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func run() throws {
        try exitingOnInspectionError(benchmark)
    }

    private func benchmark() throws {
        if let study {
            VerdictRuleStudyPrinter.print(VerdictRuleStudyTable(runs: try BenchmarkTable.runs(fromJSON: study)))
            return
        }
        let root = datasets ?? ProcessInfo.processInfo.environment["INSPECT_DATASETS"].flatMap { $0.isEmpty ? nil : $0 } ?? "../shared/datasets"
        let extractor = try Backbones.load(backbone) { try models.directory().path }
        var splits: [BenchmarkSplit] = []
        for category in list(categories) {
            let path = category.hasPrefix("/") ? category : (root as NSString).appendingPathComponent(category)
            for p in list(protocols).compactMap(BenchmarkProtocol.init(rawValue:)) {
                splits.append(try BenchmarkSplit.make(category: (category as NSString).lastPathComponent, root: path,
                                                      protocol: p, maxTrain: maxTrain))
            }
        }
        if let writeSplits { try write(splits, to: writeSplits) }
        if maxTrain != nil {
            print("--max-train \(maxTrain ?? 0): good training photos capped for development; these are not the protocols' figures.")
        }
        var runs: [BenchmarkRun] = []
        for split in splits {
            for seed in list(seeds).compactMap(UInt64.init) {
                print("\(split.category) \(split.benchmarkProtocol.rawValue), seed \(seed): training on \(split.train.goodCount) good"
                      + " and \(split.train.anomalousCount) anomalous photos, testing on \(split.test.goodCount) good and \(split.test.anomalousCount) anomalous")
                fflush(nil)  // into a log as it happens
                let progress = TrainingProgressPrinter()
                var options = TrainingOptions()
                options.coresetSelection = coresetSelection
                let run = try CategoryBenchmark.run(split, seed: seed, extractor: extractor, options: options) {
                    progress.update($0)
                }
                progress.finish()
                for failure in run.failures { printError(failure) }
                printAligned([BenchmarkTable.header, BenchmarkTable.cells(run)].map { row in row.map { "  " + $0 } })
                runs.append(run)
                try write(runs)
                fflush(nil)
            }
        }
        print("\nAll runs (F1 at the saved model's own threshold; best F1 picked on the test photos, an upper bound):")
        printAligned([BenchmarkTable.header] + runs.map(BenchmarkTable.cells)
                     + BenchmarkTable.summaries(runs).flatMap(BenchmarkTable.cells),
                     rightAligned: Set(5..<BenchmarkTable.header.count))
        print("Written to \(csv) and \(json)")
        print()
        VerdictRuleStudyPrinter.print(VerdictRuleStudyTable(runs: runs))
    }

    private func write(_ splits: [BenchmarkSplit], to folder: String) throws {
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        catch { throw InspectionError(folder, "cannot create the folder: \(error.localizedDescription)") }
        for split in splits {
            for (part, data) in [("train", split.train), ("test", split.test)] {
                let path = (folder as NSString).appendingPathComponent("\(split.category)-\(split.benchmarkProtocol.rawValue)-\(part).manifest")
                do { try data.manifestText().write(toFile: path, atomically: true, encoding: .utf8) }
                catch { throw InspectionError(path, "cannot write: \(error.localizedDescription)") }
            }
        }
    }

    /// Rewrites both files after every run, so an interrupted benchmark keeps what it did.
    private func write(_ runs: [BenchmarkRun]) throws {
        for path in [csv, json] {
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty {
                do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
                catch { throw InspectionError(folder, "cannot create the folder: \(error.localizedDescription)") }
            }
        }
        do {
            try BenchmarkTable.csv(runs).write(toFile: csv, atomically: true, encoding: .utf8)
        } catch {
            throw InspectionError(csv, "cannot write: \(error.localizedDescription)")
        }
        let data = try BenchmarkTable.json(runs, note: note)
        do { try data.write(to: URL(fileURLWithPath: json), options: .atomic) } catch {
            throw InspectionError(json, "cannot write: \(error.localizedDescription)")
        }
    }
}
