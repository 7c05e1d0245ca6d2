// bench-faces: our figures for tools/bench/bench-faces.sh, as one JSON object on stdout.
//   bench-faces MODELS_DIR DATASET_DIR LATENCY_JPEG [REPEATS] [--box-jitter FRACTION] [--latency-only]
// Accuracy on faces-fairface-dev (protocol in ../shared/datasets/README.md: largest face per
// image; age correct inside the labelled range, 65 or more for 70+; mean distance to the range;
// gender accuracy; images with no face), and the latency of one photo file to FaceDetails.
import Dispatch
import Faces
import Imaging
import Foundation
import WorkerThreads

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    exit(1)
}

var arguments = CommandLine.arguments
// --box-jitter FRACTION overrides FaceAnalyzer.boxJitter (tools/bench/faces-ablation.sh).
var boxJitter: Double?
if let flag = arguments.firstIndex(of: "--box-jitter") {
    guard flag + 1 < arguments.count, let value = Double(arguments[flag + 1]), value >= 0, value < 0.5 else {
        fail("--box-jitter needs a fraction from 0 to 0.5")
    }
    boxJitter = value
    arguments.removeSubrange(flag...(flag + 1))
}
// --latency-only skips the dataset (tools/bench/bench-faces.sh times a second photo with it).
let latencyOnly = arguments.contains("--latency-only")
arguments.removeAll { $0 == "--latency-only" }
guard arguments.count >= 4 else { fail("usage: bench-faces MODELS_DIR DATASET_DIR LATENCY_JPEG [REPEATS] [--box-jitter FRACTION] [--latency-only]") }
let repeats = max(1, arguments.count > 4 ? Int(arguments[4]) ?? 10 : 10)
var analyzer: FaceAnalyzer
do { analyzer = try FaceAnalyzer(modelsDirectory: URL(fileURLWithPath: arguments[1])) } catch { fail("\(error)") }
if let boxJitter { analyzer.boxJitter = boxJitter }

// Labels: file,gender,age_min,age_max
let dataset = URL(fileURLWithPath: arguments[2])
guard let labels = try? String(contentsOf: dataset.appendingPathComponent("labels.csv"), encoding: .utf8) else {
    fail("\(dataset.path)/labels.csv: cannot read")
}
var perImage: [[String: Any]] = []
let start = DispatchTime.now().uptimeNanoseconds
let rows = latencyOnly ? [] : labels.split(whereSeparator: \.isNewline).dropFirst()
    .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }.filter { $0.count >= 4 }
// The photos spread over the cores, one photo per core at a time (FaceAnalyzer.analyze(files:)).
let analysed = analyzer.analyze(files: rows.map { dataset.appendingPathComponent("images").appendingPathComponent($0[0]).path })
for (fields, result) in zip(rows, analysed) {
    var record: [String: Any] = ["file": fields[0]]
    do {
        let faces = try result.get()
        // Every detection in pixels (read by tools/models/fit_face_landmark_box.py), then the protocol's largest face.
        record["detections"] = faces.map { f -> [String: Any] in
            let d = f.detection
            return ["box": [d.x1, d.y1, d.x2, d.y2], "score": Double(d.score), "points": d.points.map { [$0.x, $0.y] }]
        }
        if let largest = faces.max(by: { $0.detail.BoundingBox.Width * $0.detail.BoundingBox.Height < $1.detail.BoundingBox.Width * $1.detail.BoundingBox.Height }) {
            record["age"] = Double(largest.estimate.age)
            record["gender"] = largest.detail.Gender.Value.lowercased()
        }
    } catch {
        record["error"] = "\(error)"
    }
    perImage.append(record)
}
let datasetSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9

// Latency: file to FaceDetails, after one warm-up run, split into its phases: decode
// (DCT-scaled), detection, and everything after it (landmarks, chips, age and gender networks).
func milliseconds(since t0: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6 }
var totals: [Double] = [], decodes: [Double] = [], detections: [Double] = [], afterDetections: [Double] = []
var facesInLatencyPhoto = 0
var decodedSize = (0, 0)
for i in 0...repeats {
    let t0 = DispatchTime.now().uptimeNanoseconds
    let image: Image
    do {
        image = try ImageDecoder.decodeFile(arguments[3], options: DecodeOptions(minimumSize: (analyzer.decodeMinimumSide, analyzer.decodeMinimumSide))).image
    } catch { fail("\(error)") }
    let rgb = image.format == .rgb ? image : image.converted(to: .rgb)
    let t1 = DispatchTime.now().uptimeNanoseconds
    let found = analyzer.detect(full: rgb, detectionImage: rgb)
    let t2 = DispatchTime.now().uptimeNanoseconds
    let details = analyzer.analyze(rgb, detections: found).map(\.detail)
    if i > 0 {
        totals.append(milliseconds(since: t0))
        decodes.append(Double(t1 - t0) / 1e6)
        detections.append(Double(t2 - t1) / 1e6)
        afterDetections.append(milliseconds(since: t2))
    }
    facesInLatencyPhoto = details.count
    decodedSize = (rgb.width, rgb.height)
}

// The same photo with the full decode for the chips (the latency bar's strict reading: DCT-scaled
// decoding for detection, the full image for chips). The full decode runs on one core while the other
// decodes at detection size and detects; everything after detection then works on the full
// image. Timed for comparison; FaceAnalyzer.analyze(file:) cuts chips from one DCT-scaled
// decode of at least decodeMinimumSide.
enum FullResolutionPart: Sendable { case full(Image), found([DetectedFace]), failed(String) }
var fullTotals: [Double] = [], fullAfterDetections: [Double] = [], fullDecodes: [Double] = []
var fullFaces = 0, fullSize = (0, 0)
for i in 0...repeats {
    let t0 = DispatchTime.now().uptimeNanoseconds
    let path = arguments[3], side = analyzer.detectionSide
    let parts = WorkerPool.shared.map(count: 2, maxThreads: 2) { [analyzer] k -> FullResolutionPart in
        do {
            if k == 0 {
                let image = try ImageDecoder.decodeFile(path, options: DecodeOptions()).image
                return .full(image.format == .rgb ? image : image.converted(to: .rgb))
            }
            let decoded = try ImageDecoder.decodeFile(path, options: DecodeOptions(minimumSize: (side, side)))
            return .found(analyzer.detect(decoded.image, fullWidth: decoded.originalWidth, fullHeight: decoded.originalHeight))
        } catch { return .failed("\(error)") }
    }
    guard case .full(let full) = parts[0], case .found(let found) = parts[1] else { fail("\(parts)") }
    let t1 = DispatchTime.now().uptimeNanoseconds
    let details = analyzer.analyze(full, detections: found).map(\.detail)
    if i > 0 {
        fullTotals.append(milliseconds(since: t0))
        fullDecodes.append(Double(t1 - t0) / 1e6)
        fullAfterDetections.append(milliseconds(since: t1))
    }
    fullFaces = details.count
    fullSize = (full.width, full.height)
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
FileHandle.standardError.write(Data(String(format: "bench-faces: 12-MP photo (decoded at %dx%d), medians of %d runs: decode %.1f ms, detection %.1f ms, after detection %.1f ms, total %.1f ms (box jitter %.2f)\n",
                                           decodedSize.0, decodedSize.1, repeats, median(decodes), median(detections), median(afterDetections),
                                           median(totals), analyzer.boxJitter).utf8))
FileHandle.standardError.write(Data(String(format: "bench-faces: with chips from the full decode (%dx%d decoded on one core while the other detects), medians: decode and detection %.1f ms, after detection %.1f ms, total %.1f ms\n",
                                           fullSize.0, fullSize.1, median(fullDecodes), median(fullAfterDetections), median(fullTotals)).utf8))
let result: [String: Any] = [
    "images": perImage,
    "dataset_seconds": datasetSeconds,
    "box_jitter": analyzer.boxJitter,
    "latency_ms_median": median(totals),
    "latency_ms_min": totals.min() ?? 0,
    "latency_ms_decode_median": median(decodes),
    "latency_ms_detection_median": median(detections),
    "latency_ms_after_detection_median": median(afterDetections),
    "latency_faces": facesInLatencyPhoto,
    "full_chips_latency_ms_median": median(fullTotals),
    "full_chips_decode_and_detection_ms_median": median(fullDecodes),
    "full_chips_after_detection_ms_median": median(fullAfterDetections),
    "full_chips_faces": fullFaces,
]
let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
print(String(decoding: data, as: UTF8.self))
