import Foundation
import ModelCards

extension ModelBundle {
    /// Writes `baseline.json` into the bundle folder.
    public static func saveBaseline(_ baseline: MonitoringBaseline, to directory: String) throws(InspectionError) {
        let path = (directory as NSString).appendingPathComponent(MonitoringBaseline.file)
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try encoder.encode(baseline).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw InspectionError(path, "cannot write the monitoring baseline: \(error.localizedDescription)")
        }
    }

    /// The bundle's baseline; nil when it has none (made before baselines existed); an error
    /// naming the file and field when it is broken.
    public static func readBaseline(_ directory: String) throws(InspectionError) -> MonitoringBaseline? {
        let path = (directory as NSString).appendingPathComponent(MonitoringBaseline.file)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let baseline: MonitoringBaseline
        do {
            baseline = try ModelCardReader.read(MonitoringBaseline.self, from: path)
        } catch {
            throw InspectionError(path, "not a valid monitoring baseline: \(error.problem)")
        }
        guard baseline.version == MonitoringBaseline.currentVersion else {
            throw InspectionError(path, "baseline version \(baseline.version); this program reads version \(MonitoringBaseline.currentVersion)")
        }
        return baseline
    }
}
