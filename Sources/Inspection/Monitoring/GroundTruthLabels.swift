import Foundation

/// Ground truth for captured inspections: a JSON-lines file, one `{"eventId": "...",
/// "label": "good"|"anomalous"}` per line, joined with the capture records by event id.
public enum GroundTruthLabels {
    /// Each event id's truth (true: anomalous). A bad line, an unknown label or an event id
    /// given twice is an error naming the file and line.
    public static func read(_ path: String) throws(InspectionError) -> [String: Bool] {
        guard let data = FileManager.default.contents(atPath: path) else { throw InspectionError(path, "cannot read the labels file") }
        var labels: [String: Bool] = [:], firstLine: [String: Int] = [:]
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty { continue }
            let place = "\(path) line \(lineNumber)"
            guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
                throw InspectionError(place, "not a JSON object")
            }
            guard let id = object["eventId"] as? String, !id.isEmpty else { throw InspectionError(place, "missing \"eventId\" (a string)") }
            let isAnomalous: Bool
            switch object["label"] as? String {
            case "good": isAnomalous = false
            case "anomalous": isAnomalous = true
            default: throw InspectionError(place, "\"label\" must be \"good\" or \"anomalous\"")
            }
            if let first = firstLine[id] { throw InspectionError(place, "event \(id) is already labelled on line \(first)") }
            firstLine[id] = lineNumber
            labels[id] = isAnomalous
        }
        return labels
    }
}
