import Foundation

extension InspectionDataset {
    /// The set as a Lookout for Vision JSON-lines manifest (`source-ref`, `anomaly-label`,
    /// `anomaly-mask-ref`) with absolute paths: what `InspectionDataset.manifest` reads, and the
    /// reference PatchCore script's `--train-manifest` / `--test-manifest`.
    public func manifestText() -> String {
        func absolute(_ path: String) -> String {
            path.hasPrefix("/") ? path : URL(fileURLWithPath: path).standardizedFileURL.path
        }
        return images.map { image -> String in
            var entry: [String: Any] = ["source-ref": absolute(image.path), "anomaly-label": image.isAnomalous ? 1 : 0]
            if let mask = image.maskPath { entry["anomaly-mask-ref"] = absolute(mask) }
            let data = (try? JSONSerialization.data(withJSONObject: entry, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }.joined(separator: "\n") + "\n"
    }
}
