import Foundation
import ModelCards

/// One captured inspection: its event id and time, and what it recorded.
public struct CapturedEvent: Sendable {
    public var eventId: String
    public var time: Date
    public var inspection: CapturedInspection
}

/// The files of a capture folder: `capture.jsonl` is written to until it passes the size
/// limit, then renamed `capture-YYYYMMDDTHHMMSS.jsonl` (UTC, the time of the roll) and a new
/// one started. Readers take every one of them, oldest first.
public enum CaptureFiles {
    public static let current = "capture.jsonl"

    /// The name a full capture file is rolled to at `date`.
    public static func rolledName(at date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss"
        return "capture-\(formatter.string(from: date)).jsonl"
    }

    /// The capture files in a folder: the rolled ones in name (= time) order, then the current one.
    public static func files(in directory: String) throws(InspectionError) -> [String] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw InspectionError(directory, "cannot read the capture folder: \(error.localizedDescription)")
        }
        let rolled = names.filter { $0.hasPrefix("capture-") && $0.hasSuffix(".jsonl") }.sorted()
        let all = rolled + (names.contains(current) ? [current] : [])
        return all.map { (directory as NSString).appendingPathComponent($0) }
    }

    /// The inspection events of `model` in the files, in file and line order. Lines of other
    /// routes and models are skipped; a line that is not a capture record is an error naming
    /// the file and line.
    public static func events(in files: [String], model: String) throws(InspectionError) -> [CapturedEvent] {
        var events: [CapturedEvent] = []
        let dates = ISO8601DateFormatter()
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { throw InspectionError(file, "cannot read the capture file") }
            var lineNumber = 0
            for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                lineNumber += 1
                if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\t") }) { continue }
                let place = "\(file) line \(lineNumber)"
                let record: CaptureRecord
                do { record = try ModelCardReader.decode(CaptureRecord.self, from: Data(line), file: place) } catch {
                    throw InspectionError(place, "not a capture record: \(error.problem)")
                }
                guard let inspection = record.inspection, inspection.model == model else { continue }
                guard let time = dates.date(from: record.eventMetadata.inferenceTime) else {
                    throw InspectionError(place, "field eventMetadata.inferenceTime: \"\(record.eventMetadata.inferenceTime)\" is not an ISO 8601 time")
                }
                events.append(CapturedEvent(eventId: record.eventMetadata.eventId, time: time, inspection: inspection))
            }
        }
        return events
    }
}
