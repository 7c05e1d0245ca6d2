import ArgumentParser
import Foundation
import Imaging
import Inspection
import ScoreShards
import Tabular

/// `inspect score PATH... --model NAME`: batch scoring with one streamed row per image.
struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score images with a trained inspection model, one result row per image.",
        discussion: """
            Files and folders (recursively) are scored in natural file order; rows stream as \
            images finish (decoding runs in parallel with inference). CSV columns: path, \
            IsAnomalous, Confidence, Score, Threshold, AnomalousAreaPercent, Error. JSON lines \
            follow Lookout for Vision's DetectAnomalies result (plus "Path", "Score", \
            "Threshold", and "Error" for unreadable files). The summary goes to stderr when rows \
            go to stdout. --threads N scores N images at once, each decoded and scored on one \
            thread (at most $INSPECT_THREADS); with 1, one image at a time, its layers split \
            across the cores (slower on a folder). Exit status: 0 every image scored; 1 some images could not be read \
            (their rows carry the error); 2 no image found or the model could not be loaded. \
            --shard K/N scores one part of the files on one machine of many; inspect merge \
            joins the parts into the rows one run writes.
            """
    )

    @Argument(help: "Image files or folders (searched recursively).")
    var paths: [String]

    @Option(help: "Model: NAME (its promoted, else newest, version), NAME@N (version N), or the path of a model or bundle folder.")
    var model: String

    @Option(help: "Output format: csv or jsonl.")
    var format: OutputFormat = .csv

    @Option(help: "Write rows to this file instead of stdout.")
    var out: String?

    @Option(help: "Write per image an overlay of the anomaly map (NAME.overlay.png) and the mask at the threshold (NAME.mask.png) into this folder.")
    var heatmaps: String?

    @Option(help: "Decision threshold instead of the model's own.")
    var threshold: Float?

    @Flag(name: .customLong("mask-json"), help: "Include the mask as a base64 PNG (AnomalyMask) in jsonl rows.")
    var maskJSON = false

    @OptionGroup var modelStore: ModelStoreOption

    @OptionGroup var models: ModelsOption

    @OptionGroup var threads: ThreadsOption

    @OptionGroup var sharding: ShardOptions

    typealias OutputFormat = ScoreRowFormat

    func validate() throws {
        if maskJSON && format != .jsonl { throw ValidationError("--mask-json needs --format jsonl") }
        if sharding.resume && out == nil { throw ValidationError("--resume needs --out FILE (the file to append to)") }
    }

    func run() throws {
        let loaded: StoredModel
        do {
            loaded = try modelStore.load(model, models: models)
        } catch {
            printError("\(error)")
            throw ExitCode(2)
        }
        if let threshold { loaded.model.threshold = threshold }
        let found = ShardedScan(paths)
        let scan = found.scan
        for problem in scan.problems { printError("\(problem.path): \(problem.reason)") }
        guard !scan.images.isEmpty else {
            printError("no image files found in \(paths.joined(separator: ", "))")
            throw ExitCode(2)
        }
        if let heatmaps {
            do { try FileManager.default.createDirectory(atPath: heatmaps, withIntermediateDirectories: true) }
            catch { printError("\(heatmaps): cannot create the folder: \(error.localizedDescription)"); throw ExitCode(2) }
        }
        let plan: ScorePlan, sink: RowSink
        do {
            plan = try sharding.plan(found, out: out, format: format)
            sink = try RowSink(path: out, appending: plan.appending)
        } catch { printError("\(error)"); throw ExitCode(2) }
        if format == .csv && !plan.appending { sink.write(ScoreRowFormat.csvHeader) }

        let bar = ProgressBar(total: plan.images.count, label: "scoring")
        let started = Date()
        var scored = 0, anomalous = 0, errors = 0, otherSizes = 0
        var heatmapNames = Set<String>()
        BatchScorer.score(plan.images, model: loaded.model, threads: threads.count, keepOriginals: heatmaps != nil) { _, row in
            switch row.result {
            case .success(let result):
                scored += 1
                if result.isAnomalous { anomalous += 1 }
                if let trained = loaded.card.photoSize, let size = row.photoSize, size != trained { otherSizes += 1 }
                sink.write(format == .csv ? csvRow(row.path, result) : jsonRow(row.path, result, photoSize: row.photoSize))
                if let heatmaps, let original = row.original, let photoSize = row.photoSize {
                    if let problem = writeHeatmaps(row.path, result, original, photoSize, heatmaps, &heatmapNames) { printError(problem) }
                }
            case .failure(let error):
                errors += 1
                sink.write(format == .csv ? "\(CSVReader.escape(row.path)),,,,,,\(CSVReader.escape(error.reason))"
                                          : jsonLine(["Path": row.path, "Error": error.reason]))
            }
            bar.advance()
        }
        bar.finish()
        sink.close()
        let seconds = Date().timeIntervalSince(started)
        let summary = "scored \(scored), anomalous \(anomalous), errors \(errors) in \(formatDuration(seconds)) (\(formatRate(Double(scored + errors) / max(seconds, 1e-9))) images/s); threshold \(String(format: "%.4f", loaded.model.threshold))"
        var lines = [summary]
        if let note = plan.summary { lines.insert(note, at: 0) }
        if otherSizes > 0, let trained = loaded.card.photoSize {
            lines.append("\(otherSizes) of \(scored) photos differ in size from the training photos (\(trained)); "
                         + "every photo is resized to the model's input (\(loaded.card.inputSize)), so their scores may be less reliable")
        }
        for line in lines {
            if out == nil { FileHandle.standardError.write(Data((line + "\n").utf8)) } else { print(line) }
        }
        if errors > 0 { throw ExitCode(1) }
    }

    private func csvRow(_ path: String, _ r: InspectionResult) -> String {
        [CSVReader.escape(path), r.isAnomalous ? "true" : "false", String(format: "%.4f", r.confidence),
         String(format: "%.5f", r.score), String(format: "%.5f", r.threshold),
         String(format: "%.3f", r.anomalousArea * 100), ""].joined(separator: ",")
    }

    private func jsonRow(_ path: String, _ r: InspectionResult, photoSize: InputSize?) -> String {
        let mask = maskJSON ? try? r.maskPNG(size: photoSize ?? InputSize(width: r.map.width, height: r.map.height)) : nil
        return jsonLine(DetectAnomaliesResult(r, path: path, mask: mask))
    }

    /// Writes NAME.overlay.png (on the photo as decoded) and NAME.mask.png (at the photo's
    /// full size, as the JSON's mask); returns a problem message or nil.
    private func writeHeatmaps(_ path: String, _ r: InspectionResult, _ original: Image, _ photoSize: InputSize, _ folder: String,
                               _ names: inout Set<String>) -> String? {
        var stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        if names.contains(stem) { stem += "-\(names.count)" }
        names.insert(stem)
        let base = (folder as NSString).appendingPathComponent(stem)
        do {
            try r.overlay(on: original).write(to: base + ".overlay.png")
            try r.maskImage(size: photoSize).write(to: base + ".mask.png")
            return nil
        } catch {
            return "\(base): cannot write the heat map: \(error.reason)"
        }
    }
}
