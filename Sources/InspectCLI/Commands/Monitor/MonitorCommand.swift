import ArgumentParser
import DriftStatistics
import Foundation
import Inspection

/// `inspect monitor CAPTURE_DIR --model X`: captured traffic against the model's training
/// baseline (SageMaker Model Monitor style).
struct MonitorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Compare captured inspection traffic (inspect serve --capture) with the model's training baseline.",
        discussion: """
            Reads every capture file in CAPTURE_DIR (capture.jsonl and the rolled \
            capture-YYYYMMDDTHHMMSS.jsonl), keeps the model's inspection requests and compares \
            them with baseline.json in the model folder: population stability index and \
            Kolmogorov-Smirnov test per image statistic and for the score, the anomaly rate \
            against the rate the threshold implies (one-sided binomial test), feature drift (MMD \
            with an RBF kernel, permutation p-value), and with --ground-truth precision, recall \
            and F1 per --window against the baseline's. Prints a table, writes an HTML report \
            (--html, default monitor-report.html in the current folder) and JSON (--json). \
            Exit status: 0 no constraint violated; 1 a bad capture, labels or constraints line \
            or file (named); 2 nothing to compare (no capture file, no baseline, no request of \
            the model); 3 a constraint violated. See docs/MONITORING.md.
            """)

    @Argument(help: "The capture folder (inspect serve --capture DIR).")
    var captureDir: String?

    @Option(help: "Model name (folder under the model store) or path to a model folder.")
    var model: String?

    @Option(help: "Constraints file (JSON; --write-constraints writes the defaults to edit).")
    var constraints: String?

    @Option(name: .customLong("write-constraints"), help: "Write the default constraints to this file and exit.")
    var writeConstraints: String?

    @Option(name: .customLong("ground-truth"), help: "JSON lines {\"eventId\", \"label\": \"good\"|\"anomalous\"} joined with the captured requests.")
    var groundTruth: String?

    @Option(help: "Time window of the ground-truth figures: a number with s, m, h or d (e.g. 30m, 1h, 1d).")
    var window = "1h"

    @Option(help: "Write the report as JSON to this file.")
    var json: String?

    @Option(help: "Write the HTML report to this file.")
    var html = "monitor-report.html"

    @Option(help: "Seed of the MMD permutations.")
    var seed: UInt64 = 1

    @OptionGroup var modelStore: ModelStoreOption

    func validate() throws {
        if writeConstraints != nil { return }
        guard captureDir != nil else { throw ValidationError("give the capture folder (or --write-constraints FILE)") }
        guard model != nil else { throw ValidationError("give --model NAME") }
        guard Self.seconds(window) != nil else { throw ValidationError("--window \(window): expected a number with s, m, h or d, e.g. 1h") }
    }

    /// "90s", "30m", "1h", "2d" in seconds; nil when malformed or not positive.
    static func seconds(_ text: String) -> Double? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        guard let unit = text.last.flatMap({ units[$0] }), let value = Double(text.dropLast()), value > 0 else { return nil }
        return value * unit
    }

    func run() throws {
        if let writeConstraints {
            do { try DriftConstraints.defaultsJSON().write(to: URL(fileURLWithPath: writeConstraints)) } catch {
                printError("\(writeConstraints): cannot write: \(error.localizedDescription)")
                throw ExitCode(1)
            }
            print("Default constraints written to \(writeConstraints)")
            return
        }
        let report = try prepareAndAnalyse()
        if report.judged && !report.violations.isEmpty { throw ExitCode(3) }
    }

    private func prepareAndAnalyse() throws -> DriftReport {
        let name = model ?? "", directory = captureDir ?? ""
        let baseline: MonitoringBaseline, files: [String], modelName: String, versionNumber: Int
        do {
            // NAME (its promoted, else newest, version), NAME@N, or a bundle path.
            let version = try modelStore.store.resolve(name)
            guard let found = try ModelBundle.readBaseline(version.path) else {
                throw InspectionError(version.path, "the model has no \(MonitoringBaseline.file) (trained before baselines existed); retrain it")
            }
            baseline = found
            // The name the server records for the model's requests.
            modelName = version.name
            versionNumber = version.number
            files = try CaptureFiles.files(in: directory)
            guard !files.isEmpty else { throw InspectionError(directory, "no capture files (capture.jsonl or capture-*.jsonl)") }
        } catch let error as InspectionError {
            printError(error.description)
            throw ExitCode(2)
        }
        var report: DriftReport?
        var events: [CapturedEvent] = [], otherVersions = 0
        try exitingOnInspectionError {
            let limits = try constraints.map { (path) throws(InspectionError) in try DriftConstraints.read(path) } ?? DriftConstraints()
            let labels = try groundTruth.map { (path) throws(InspectionError) in try GroundTruthLabels.read(path) }
            // The baseline is this version's: requests another version answered are left out.
            let ofModel = try CaptureFiles.events(in: files, model: modelName)
            let ofVersion = ofModel.filter { $0.inspection.isAnswered(byVersion: versionNumber) }
            otherVersions = ofModel.count - ofVersion.count
            // Stable by time: rolled files in order, and within a file in order of writing.
            events = ofVersion.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
            report = DriftAnalysis.analyse(model: modelName, baseline: baseline, events: events,
                                           captureFiles: files, constraints: limits, labels: labels,
                                           windowSeconds: Self.seconds(window) ?? 3600, seed: seed)
        }
        guard let report else { throw ExitCode(1) }
        let leftOut = otherVersions == 0 ? ""
            : "\(otherVersions) request\(otherVersions == 1 ? "" : "s") answered by other versions of \(report.model) left out (the baseline is v\(versionNumber)'s)"
        guard report.requests > 0 else {
            printError("\(directory): no captured inspection request of model \(report.model) v\(versionNumber) in \(files.count) capture file\(files.count == 1 ? "" : "s")"
                       + (leftOut.isEmpty ? "" : "; \(leftOut)"))
            throw ExitCode(2)
        }
        if !leftOut.isEmpty { Swift.print(leftOut.prefix(1).uppercased() + leftOut.dropFirst() + ".") }
        MonitorReportPrinter.print(report)
        try exitingOnInspectionError {
            do { try MonitorReportPage.html(report, baseline: baseline, events: events).write(toFile: html, atomically: true, encoding: .utf8) } catch {
                throw InspectionError(html, "cannot write the HTML report: \(error.localizedDescription)")
            }
            Swift.print("HTML report written to \(html)")
            if let json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
                do { try encoder.encode(report).write(to: URL(fileURLWithPath: json)) } catch {
                    throw InspectionError(json, "cannot write the JSON report: \(error.localizedDescription)")
                }
                Swift.print("JSON report written to \(json)")
            }
        }
        return report
    }
}
