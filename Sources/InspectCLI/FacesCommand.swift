import ArgumentParser
import Faces
import Foundation
import Imaging

/// `inspect faces PHOTO...`: faces with box, landmarks, age range and gender (Rekognition
/// DetectFaces style).
struct FacesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faces",
        abstract: "Find faces in photos and estimate age and gender (Rekognition DetectFaces style).")
    @Argument(help: "Photos (JPEG or PNG).") var photos: [String]
    @Flag(help: "Print {\"FaceDetails\": [...]} JSON per photo (one object per line with several photos).") var json = false
    @Option(help: "Write each face's aligned chip (150x150 PNG) into this directory.") var crops: String?
    @Option(help: "Models directory (default: INSPECT_MODELS, ./Models, or next to the executable).") var models: String?
    @Option(help: ArgumentHelp("Average age and gender over 7 landmark boxes shifted and scaled by this share of the box side (0 to 0.2; 0 = one box, about 65 ms faster on a 12-MP photo).",
                               valueName: "fraction")) var boxJitter: Double = FaceAnalyzer.defaultBoxJitter

    func validate() throws {
        guard boxJitter.isFinite, (0...0.2).contains(boxJitter) else {
            throw ValidationError("--box-jitter must be between 0 and 0.2 (got \(boxJitter))")
        }
    }

    func run() throws {
        var analyzer: FaceAnalyzer
        do { analyzer = try FaceAnalyzer(modelsDirectory: try ModelsDirectory.resolve(models)) } catch {
            printError("\(error)")
            throw ExitCode.failure
        }
        analyzer.boxJitter = boxJitter
        if let crops {
            do { try FileManager.default.createDirectory(atPath: crops, withIntermediateDirectories: true) } catch {
                printError("--crops \(crops): cannot create the directory (\(error.localizedDescription))")
                throw ExitCode.failure
            }
        }
        var failures = 0
        // Progress on stderr for batches, when it does not interleave with a table on the same terminal.
        let progress = ProgressBar(total: photos.count, label: "photos",
                                   enabled: photos.count > 1 && isatty(STDERR_FILENO) != 0 && isatty(STDOUT_FILENO) == 0)
        defer { progress.finish() }
        for photo in photos {
            defer { progress.advance() }
            do {
                let faces = try analyzer.analyze(file: photo)
                if json {
                    print(try jsonLine(FaceDetails(faces.map(\.detail)), pretty: photos.count == 1))
                } else {
                    printTable(photo, faces)
                }
                if let crops { try writeCrops(analyzer, photo, faces, into: crops) }
            } catch {
                failures += 1
                printError("\(error)")
            }
        }
        if failures > 0 { throw ExitCode.failure }
    }

    func jsonLine(_ details: FaceDetails, pretty: Bool) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys] : [.sortedKeys]
        return String(decoding: try encoder.encode(details), as: UTF8.self)
    }

    func printTable(_ photo: String, _ faces: [AnalyzedFace]) {
        guard !faces.isEmpty else {
            print("\(photo): no face found")
            return
        }
        print("\(photo): \(faces.count) face\(faces.count == 1 ? "" : "s")")
        var rows = [["face", "box (left top width height)", "confidence", "age", "age range", "gender", "gender conf.", "eyes (left, right)"]]
        for (i, face) in faces.enumerated() {
            let d = face.detail
            let box = String(format: "%.3f %.3f %.3f %.3f", d.BoundingBox.Left, d.BoundingBox.Top, d.BoundingBox.Width, d.BoundingBox.Height)
            let eyes = d.Landmarks.prefix(2).map { String(format: "(%.3f, %.3f)", $0.X, $0.Y) }.joined(separator: " ")
            rows.append([String(i + 1), box, String(format: "%.1f", d.Confidence), String(format: "%.1f", d.Age),
                         "\(d.AgeRange.Low)-\(d.AgeRange.High)", d.Gender.Value, String(format: "%.1f", d.Gender.Confidence), eyes])
        }
        printAligned(rows, rightAligned: [0, 2, 3, 6])
    }

    func writeCrops(_ analyzer: FaceAnalyzer, _ photo: String, _ faces: [AnalyzedFace], into directory: String) throws {
        guard !faces.isEmpty else { return }
        let image = try ImageDecoder.decodeFile(photo).image
        let rgb = image.format == .rgb ? image : image.converted(to: .rgb)
        let stem = URL(fileURLWithPath: photo).deletingPathExtension().lastPathComponent
        for (i, face) in faces.enumerated() {
            let path = URL(fileURLWithPath: directory).appendingPathComponent("\(stem)-face\(i + 1).png").path
            try analyzer.alignedChip(rgb, face.landmarks, size: 150).write(to: path)
            FileHandle.standardError.write(Data("wrote \(path)\n".utf8))
        }
    }
}
