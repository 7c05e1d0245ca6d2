import Foundation
import Imaging

/// A photo scored in an evaluation, for the HTML report.
public struct ScoredPhoto: Sendable {
    public var path: String
    public var isAnomalous: Bool
    public var score: Float
    public init(path: String, isAnomalous: Bool, score: Float) {
        self.path = path
        self.isAnomalous = isAnomalous
        self.score = score
    }
}

/// A small PNG of a photo with its heat map, and its caption.
public struct ReportThumbnail: Sendable {
    public var caption: String
    public var pngBase64: String
}

/// The report's thumbnails: the good photos the model finds most anomalous and the
/// anomalous ones it finds least anomalous (where it errs or nearly does), each with the
/// model's heat map over it (`AnomalyMap.overlay`).
public enum ReportThumbnails {
    /// The `count` highest-scoring good photos and the `count` lowest-scoring anomalous ones.
    public static func extremes(_ scored: [ScoredPhoto], count: Int = 6) -> (good: [ScoredPhoto], anomalous: [ScoredPhoto]) {
        let good = scored.filter { !$0.isAnomalous }.sorted { $0.score > $1.score }.prefix(count)
        let anomalous = scored.filter(\.isAnomalous).sorted { $0.score < $1.score }.prefix(count)
        return (Array(good), Array(anomalous))
    }

    /// Each photo scored by `model` (one pass each, for its map), overlaid with its heat map,
    /// shrunk to fit `side` x `side` and encoded as PNG. The caption gives the file name and
    /// the evaluation's score. A photo that cannot be read is left out.
    public static func make(_ photos: [ScoredPhoto], model: InspectionModel, side: Int = 180) -> [ReportThumbnail] {
        var thumbnails = [ReportThumbnail?](repeating: nil, count: photos.count)
        BatchScorer.score(photos.map(\.path), model: model, keepOriginals: true) { i, row in
            guard case .success(let result) = row.result, let original = row.original else { return }
            let overlay = result.map.overlay(on: original, threshold: result.mapThreshold).resizedToFit(width: side, height: side)
            guard let png = try? ImageEncoder.png(overlay) else { return }
            let name = (photos[i].path as NSString).lastPathComponent
            thumbnails[i] = ReportThumbnail(caption: String(format: "%@ score %.4f", name, photos[i].score),
                                            pngBase64: Data(png).base64EncodedString())
        }
        return thumbnails.compactMap { $0 }
    }
}
