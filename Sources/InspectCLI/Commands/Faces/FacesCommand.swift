import ArgumentParser
import Faces
import Foundation
import Inspection
import Imaging
import Tensors
import WorkerThreads

/// `inspect faces PHOTO...`: faces with box, landmarks, age range and gender (Rekognition
/// DetectFaces style).
struct FacesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faces",
        abstract: "Find faces in photos and estimate age and gender (Rekognition DetectFaces style).")
    @Argument(help: "Photos (JPEG or PNG), or folders of them (searched recursively).") var photos: [String]
    @Flag(help: "Print JSON lines: one {\"Image\", \"FaceDetails\": [...]} object per photo, or {\"Image\", \"Error\"}.") var json = false
    @Flag(help: "With --json, indent each object over several lines for people.") var pretty = false
    @Option(help: "Write each face's aligned chip (150x150 PNG) into this directory.") var crops: String?
    @OptionGroup var models: ModelsOption
    @Option(help: ArgumentHelp("Average age and gender over 7 landmark boxes shifted and scaled by this share of the box side (0 to 0.2; 0 = one box, about 30 ms faster on a 12-MP photo).",
                               valueName: "fraction")) var boxJitter: Double = FaceAnalyzer.defaultBoxJitter

    func validate() throws {
        guard boxJitter.isFinite, (0...0.2).contains(boxJitter) else {
            throw ValidationError("--box-jitter must be between 0 and 0.2 (got \(boxJitter))")
        }
        if pretty && !json { throw ValidationError("--pretty shapes the --json output; give --json too") }
    }

    func run() throws {
        var analyzer: FaceAnalyzer
        do { analyzer = try FaceAnalyzer(modelsDirectory: try models.directory()) } catch {
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
        let inputs = expand(photos, failures: &failures)
        // Progress on stderr for batches, when it does not interleave with a table on the same terminal.
        let progress = ProgressBar(total: inputs.count, label: "photos",
                                   enabled: inputs.count > 1 && isatty(STDERR_FILENO) != 0 && isatty(STDOUT_FILENO) == 0)
        defer { progress.finish() }
        var cropNames = Set<String>()
        // Photos are analysed a few at a time, one photo per core (FaceAnalyzer.analyze(files:)),
        // and printed in input order.
        let chunk = 4 * WorkerPool.shared.threads
        for start in stride(from: 0, to: inputs.count, by: chunk) {
            let batch = Array(inputs[start..<min(inputs.count, start + chunk)])
            for (photo, analysed) in zip(batch, analyzer.analyze(files: batch)) {
                defer { progress.advance() }
                do {
                    let faces = try analysed.get()
                    if json {
                        print(jsonLine(PhotoFaceDetails(Image: photo, FaceDetails: faces.map(\.detail), Error: nil), pretty: pretty))
                    } else {
                        printTable(photo, faces)
                    }
                    // Faces' landmarks are in the pixels of the image they were found in (DCT-scaled
                    // when big), so the crops come from that image, decoded again the same way.
                    if let crops { try writeCrops(analyzer, try analyzer.photo(file: photo), uniqueStem(photo, &cropNames), faces, into: crops) }
                } catch {
                    failures += 1
                    printError("\(error)")
                    if json { print(jsonLine(PhotoFaceDetails(Image: photo, FaceDetails: nil, Error: "\(error)"), pretty: pretty)) }
                }
            }
        }
        if failures > 0 { throw ExitCode.failure }
    }

    /// One line of --json output, the same for one photo or many: the photo's path with
    /// Rekognition's {"FaceDetails": [...]}, or with the error instead of the faces.
    struct PhotoFaceDetails: Encodable {
        let Image: String?
        let FaceDetails: [FaceDetail]?
        let Error: String?
    }

    /// The photos named, with folders replaced by the images found in them (recursively, in
    /// natural order). A missing path, or a folder without images, is reported and counted.
    func expand(_ paths: [String], failures: inout Int) -> [String] {
        var inputs: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                inputs.append(path)   // a file, or a missing path the decoder reports
                continue
            }
            let scan = ImageFileScanner.scan([path])
            for problem in scan.problems {
                printError("\(problem.path): \(problem.reason)")
                failures += 1
            }
            if scan.images.isEmpty {
                printError("\(path): no image files found in this folder")
                failures += 1
            }
            inputs += scan.images
        }
        return inputs
    }

    /// The photo's file name without extension, with -2, -3, ... when another photo of the run
    /// (from another folder) had the same name, so crops never overwrite each other.
    func uniqueStem(_ photo: String, _ used: inout Set<String>) -> String {
        let stem = URL(fileURLWithPath: photo).deletingPathExtension().lastPathComponent
        var name = stem, n = 1
        while used.contains(name) {
            n += 1
            name = "\(stem)-\(n)"
        }
        used.insert(name)
        return name
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

    func writeCrops(_ analyzer: FaceAnalyzer, _ image: Image, _ stem: String, _ faces: [AnalyzedFace], into directory: String) throws {
        guard !faces.isEmpty else { return }
        let rgb = image.format == .rgb ? image : image.converted(to: .rgb)
        for (i, face) in faces.enumerated() {
            let path = URL(fileURLWithPath: directory).appendingPathComponent("\(stem)-face\(i + 1).png").path
            try analyzer.alignedChip(rgb, face.landmarks, size: 150).write(to: path)
            FileHandle.standardError.write(Data("wrote \(path)\n".utf8))
        }
    }
}
