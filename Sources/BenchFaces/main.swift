// bench-faces: our figures for tools/bench-faces.sh, as one JSON object on stdout.
//   bench-faces MODELS_DIR DATASET_DIR LATENCY_JPEG [REPEATS]
// Accuracy on faces-fairface-dev (protocol in ../shared/datasets/README.md: largest face per
// image; age correct inside the labelled range, 65 or more for 70+; mean distance to the range;
// gender accuracy; images with no face), and the latency of one photo file to FaceDetails.
import Dispatch
import Faces
import Imaging
import Foundation

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    exit(1)
}

let arguments = CommandLine.arguments
guard arguments.count >= 4 else { fail("usage: bench-faces MODELS_DIR DATASET_DIR LATENCY_JPEG [REPEATS]") }
let repeats = arguments.count > 4 ? Int(arguments[4]) ?? 10 : 10
let analyzer: FaceAnalyzer
do { analyzer = try FaceAnalyzer(modelsDirectory: URL(fileURLWithPath: arguments[1])) } catch { fail("\(error)") }

// Labels: file,gender,age_min,age_max
let dataset = URL(fileURLWithPath: arguments[2])
guard let labels = try? String(contentsOf: dataset.appendingPathComponent("labels.csv"), encoding: .utf8) else {
    fail("\(dataset.path)/labels.csv: cannot read")
}
var perImage: [[String: Any]] = []
let start = DispatchTime.now().uptimeNanoseconds
for line in labels.split(whereSeparator: \.isNewline).dropFirst() {
    let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    guard fields.count >= 4 else { continue }
    var record: [String: Any] = ["file": fields[0]]
    do {
        let faces = try analyzer.analyze(file: dataset.appendingPathComponent("images").appendingPathComponent(fields[0]).path)
        // Every detection in pixels (read by tools/fit_face_landmark_box.py), then the protocol's largest face.
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

// Latency: file to FaceDetails, after one warm-up run.
var times: [Double] = []
var facesInLatencyPhoto = 0
for i in 0...repeats {
    let t0 = DispatchTime.now().uptimeNanoseconds
    let faces: [AnalyzedFace]
    do { faces = try analyzer.analyze(file: arguments[3]) } catch { fail("\(error)") }
    _ = faces.map(\.detail)
    let t = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
    if i > 0 { times.append(t) }
    facesInLatencyPhoto = faces.count
}
times.sort()
// Where the time goes (one run each, after the runs above).
func milliseconds(_ body: () throws -> Void) rethrows -> Double {
    let t0 = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
}
var decoded: Image?
let decode = try milliseconds {
    decoded = try ImageDecoder.decodeFile(arguments[3], options: DecodeOptions(minimumSize: (analyzer.decodeMinimumSide, analyzer.decodeMinimumSide))).image
}
guard let decoded else { fail("no image") }
let analysis = milliseconds { _ = analyzer.analyze(decoded) }
FileHandle.standardError.write(Data(String(format: "bench-faces: 12-MP photo: DCT-scaled decode %.1f ms (%dx%d), analysis %.1f ms\n",
                                           decode, decoded.width, decoded.height, analysis).utf8))
let result: [String: Any] = [
    "images": perImage,
    "dataset_seconds": datasetSeconds,
    "latency_ms_median": times[times.count / 2],
    "latency_ms_min": times.first ?? 0,
    "latency_faces": facesInLatencyPhoto,
]
let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
print(String(decoding: data, as: UTF8.self))
